package io.clusterpeering.bench.probe;

import software.amazon.awssdk.http.SdkHttpClient;

import java.time.Duration;

/**
 * The SDK's synchronous HTTP clients, built with the functions' timeouts (2 s to connect, 10 s per read). Each
 * lives in its own holder class, so a JVM loads only the one it uses and needs only that one on its classpath.
 */
public final class HttpClients {
    /** The names the bench uses, in the order it reports them. */
    public static final java.util.List<String> NAMES = java.util.List.of("url-connection", "apache", "crt");

    private HttpClients() {
    }

    /**
     * @param name {@code url-connection}, {@code apache} or {@code crt}
     * @throws IllegalArgumentException for another name
     */
    public static SdkHttpClient build(String name) {
        return switch (name) {
            case "url-connection" -> UrlConnection.build();
            case "apache" -> Apache.build();
            case "crt" -> Crt.build();
            default -> throw new IllegalArgumentException("unknown HTTP client " + name);
        };
    }

    private static final class UrlConnection {
        static SdkHttpClient build() {
            return software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)).build();
        }
    }

    private static final class Apache {
        static SdkHttpClient build() {
            return software.amazon.awssdk.http.apache.ApacheHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)).build();
        }
    }

    private static final class Crt {
        static SdkHttpClient build() {
            return software.amazon.awssdk.http.crt.AwsCrtHttpClient.builder()
                    .connectionTimeout(Duration.ofSeconds(2)).build();
        }
    }
}
