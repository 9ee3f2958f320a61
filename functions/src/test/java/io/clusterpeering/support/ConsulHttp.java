package io.clusterpeering.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A small client for one cluster's HTTP API, as curl or Consul's Go client would call it. Every response is
 * checked against the OpenAPI document before it is returned. It sends an ACL token in {@code X-Consul-Token}
 * as the Go client does: by default the made-up {@code test-token} (which clusters with ACLs off ignore), or
 * the one given to {@link #withToken}.
 */
public final class ConsulHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final String token;

    public ConsulHttp(String baseUrl) {
        this(baseUrl, "test-token");
    }

    private ConsulHttp(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** The same cluster, called with this SecretID; null sends no token (Consul's anonymous token). */
    public ConsulHttp withToken(String secretId) {
        return new ConsulHttp(baseUrl, secretId);
    }

    public HttpResponse<String> put(String pathAndQuery, String json) {
        return send("PUT", pathAndQuery, json);
    }

    public String baseUrl() {
        return baseUrl;
    }

    public HttpResponse<String> get(String pathAndQuery) {
        return send("GET", pathAndQuery, null);
    }

    public HttpResponse<String> post(String pathAndQuery, String json) {
        return send("POST", pathAndQuery, json);
    }

    public HttpResponse<String> delete(String pathAndQuery) {
        return send("DELETE", pathAndQuery, null);
    }

    /** Sends a request and checks the answer against the OpenAPI document. */
    public HttpResponse<String> send(String method, String pathAndQuery, String body) {
        HttpResponse<String> response = sendUnchecked(method, pathAndQuery, body);
        String path = pathAndQuery.contains("?") ? pathAndQuery.substring(0, pathAndQuery.indexOf('?')) : pathAndQuery;
        OpenApiContract.assertConforms(method, path, response);
        return response;
    }

    /**
     * Sends a request without checking the answer against the document: for methods and paths the document
     * rightly does not list (405, unknown routes).
     */
    public HttpResponse<String> sendUnchecked(String method, String pathAndQuery, String body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            builder.header("X-Consul-Token", token);
        }
        HttpRequest request = builder.build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
