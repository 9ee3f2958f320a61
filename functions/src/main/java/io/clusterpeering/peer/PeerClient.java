package io.clusterpeering.peer;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.PeerUnreachable;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Calls the other cluster's internal peering routes over HTTP(S): the secret exchange, heartbeats and
 * terminations. Tries each of the peer's base URLs in order until one answers; an HTTP answer of any status
 * ends the attempt and is returned. Uses the JDK's {@link HttpClient} (no extra jar in the Lambda package;
 * Micronaut's JDK-based client did not resolve on our Maven mirror). Bodies are signed JWS texts, sent as
 * {@code application/jose}. The JDK client (a selector thread, the default TLS context) is built on the first call,
 * so functions that never call a peer (every read) never pay for it at start-up.
 */
@Singleton
public class PeerClient {
    private final Duration timeout;
    private volatile HttpClient http;

    public PeerClient(PeeringConfiguration config) {
        this.timeout = config.getPeerCallTimeout();
    }

    private HttpClient http() {
        HttpClient current = http;
        if (current == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
                }
                current = http;
            }
        }
        return current;
    }

    /**
     * Posts a signed message to the first of the peer's URLs that answers.
     *
     * @param baseUrls the peer's base URLs, for example {@code http://127.0.0.1:8501}
     * @param path     the internal route, for example {@code /v1/internal/peering/exchange}
     * @param jws      the signed body
     * @param purpose  what the call is for, used in the error text ("exchange peering secret")
     * @return the answer: the URL that answered, the HTTP status and the body
     * @throws PeerUnreachable naming every address tried and why it failed, when none answered
     */
    public PeerAnswer post(List<String> baseUrls, String path, String jws, String purpose) {
        List<String> failures = new ArrayList<>();
        for (String baseUrl : baseUrls) {
            try {
                HttpRequest request = HttpRequest.newBuilder(URI.create(stripSlash(baseUrl) + path))
                        .timeout(timeout)
                        .header("Content-Type", "application/jose")
                        .POST(HttpRequest.BodyPublishers.ofString(jws, StandardCharsets.US_ASCII))
                        .build();
                HttpResponse<String> response = http().send(request, HttpResponse.BodyHandlers.ofString());
                return new PeerAnswer(baseUrl, response.statusCode(), response.body());
            } catch (HttpTimeoutException e) {
                failures.add(describe(purpose, baseUrl, "no answer within " + timeout.toMillis() + " ms"));
            } catch (IOException | IllegalArgumentException e) {
                failures.add(describe(purpose, baseUrl, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PeerUnreachable("interrupted while trying to " + purpose);
            }
        }
        if (failures.isEmpty()) {
            throw new PeerUnreachable("failed to " + purpose + ": the peer has no known address");
        }
        throw new PeerUnreachable(String.join("; ", failures));
    }

    private static String describe(String purpose, String baseUrl, String reason) {
        URI uri = URI.create(baseUrl);
        String address = uri.getHost() + ":" + (uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80));
        return "failed to " + purpose + " through address \"" + address + "\": " + reason;
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * What a peer answered.
     *
     * @param baseUrl the URL that answered
     * @param status  the HTTP status
     * @param body    the body text
     */
    public record PeerAnswer(String baseUrl, int status, String body) {
        /** True for HTTP 200. */
        public boolean ok() {
            return status == 200;
        }
    }
}
