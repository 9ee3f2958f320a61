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
 * checked against the OpenAPI document before it is returned.
 */
public final class ConsulHttp {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public ConsulHttp(String baseUrl) {
        this.baseUrl = baseUrl;
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .header("X-Consul-Token", "test-token")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
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
