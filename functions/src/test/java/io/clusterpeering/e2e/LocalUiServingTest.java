package io.clusterpeering.e2e;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local runtime serves the Peers page: the repository's {@code ui/} at {@code /ui/} (found from
 * {@code functions/}, where the tests run, as from the repository's root), {@code /} redirecting there, deep links
 * answering {@code index.html}, and nothing of {@code ui/} that is not the page (test tooling, dot files, paths
 * outside). The API beside it is unchanged.
 */
class LocalUiServingTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private static LocalCluster cluster;
    private static String base;

    @BeforeAll
    static void start() {
        int port = EmbeddedDynamoDb.freePort();
        base = "http://127.0.0.1:" + port;
        cluster = LocalCluster.start(null, Map.of("micronaut.server.port", port, "peering.datacenter", "dc-ui",
                "peering.advertise-url", base));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    @Test
    void rootRedirectsToThePage() throws Exception {
        HttpResponse<String> root = get("/");
        assertEquals(302, root.statusCode());
        assertEquals("/ui/", root.headers().firstValue("Location").orElseThrow());
        HttpResponse<String> bare = get("/ui");
        assertEquals(301, bare.statusCode());
        assertEquals("/ui/", bare.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void thePageIsServedWithItsContentTypesAndNoExternalSources() throws Exception {
        HttpResponse<String> index = get("/ui/");
        assertEquals(200, index.statusCode());
        assertEquals("text/html; charset=utf-8", index.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(Files.readString(Path.of("..", "ui", "index.html")), index.body(), "the repository's ui/index.html");
        assertTrue(index.headers().firstValue("Content-Security-Policy").orElseThrow().startsWith("default-src 'self'"));

        HttpResponse<String> script = get("/ui/js/api.js");
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(script.body().contains("export const peerings"));
        assertEquals("text/css; charset=utf-8", get("/ui/css/peers.css").headers().firstValue("Content-Type").orElseThrow());
        assertEquals("image/svg+xml", get("/ui/favicon.svg").headers().firstValue("Content-Type").orElseThrow());
    }

    @Test
    void deepLinksOfThePageAnswerIndexHtml() throws Exception {
        for (String path : new String[] {"/ui/dc1/peers", "/ui/dc1/peers/cluster-02/imported-services"}) {
            HttpResponse<String> response = get(path);
            assertEquals(200, response.statusCode(), path);
            assertTrue(response.body().contains("<title>Peers - Consul</title>"), path);
        }
    }

    @Test
    void testToolingAndPathsOutsideThePageAreNotServed() throws Exception {
        for (String path : new String[] {"/ui/package.json", "/ui/playwright.config.js", "/ui/tests/peers.spec.js",
                "/ui/node_modules/.package-lock.json", "/ui/js/../package.json", "/ui/js/%2e%2e/package.json",
                "/ui/js/missing.js", "/ui/docs/peers-list.png"}) {
            assertEquals(404, get(path).statusCode(), path);
        }
    }

    @Test
    void theApiIsUnchangedBesideThePage() throws Exception {
        HttpResponse<String> peerings = get("/v1/peerings");
        assertEquals(200, peerings.statusCode());
        assertEquals("[]", peerings.body());
        HttpResponse<String> unknown = get("/v2/whatever");
        assertEquals(404, unknown.statusCode());
        assertEquals("Invalid URL path: not a recognized HTTP API endpoint", unknown.body());
    }

    @Test
    void aConfiguredFolderWinsAndOneWithoutIndexHtmlServesNothing(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("index.html"), "<!doctype html><title>elsewhere</title>");
        int port = EmbeddedDynamoDb.freePort();
        try (LocalCluster other = LocalCluster.start(null, Map.of("micronaut.server.port", port,
                "peering.advertise-url", "http://127.0.0.1:" + port, "peering.ui-dir", dir.toString()))) {
            HttpResponse<String> index = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ui/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("<!doctype html><title>elsewhere</title>", index.body());
        }
        int secondPort = EmbeddedDynamoDb.freePort();
        try (LocalCluster other = LocalCluster.start(null, Map.of("micronaut.server.port", secondPort,
                "peering.advertise-url", "http://127.0.0.1:" + secondPort, "peering.ui-dir", dir.resolve("empty").toString()))) {
            HttpResponse<String> index = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + secondPort + "/ui/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, index.statusCode());
            assertTrue(index.body().contains("PEERING_UI_DIR"), index.body());
        }
    }
}
