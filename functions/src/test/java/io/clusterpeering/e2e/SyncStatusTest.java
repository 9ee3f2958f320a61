package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.FakePeer;
import io.clusterpeering.support.PeeringFlow;
import io.clusterpeering.support.CuttableLink;
import io.clusterpeering.support.CuttableLink.Pair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-service sync status ({@code GET /v1/peering/{name}/services}) on two local clusters through HTTP, both sides:
 * cluster dc1 exports to dc2, which it reaches through a forwarder a test closes to drop dc1's messages (dc2 still
 * reaches dc1 directly, so it can ask dc1 for its half). Changes are judged unacknowledged after 1 s here
 * ({@code peering.sync-ack-timeout}, 45 s by default). Refusals come from a {@link FakePeer} answering errors.
 */
class SyncStatusTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static CuttableLink link;
    private static ConsulHttp exporter;
    private static ConsulHttp importer;

    @BeforeAll
    static void startClusters() throws java.io.IOException {
        link = CuttableLink.start(Map.of("peering.sync-ack-timeout", "1s"));
        exporter = link.exporter();
        importer = link.importer();
    }

    @AfterAll
    static void stopClusters() throws java.io.IOException {
        link.close();
    }

    /** The sync status path on the exporter (its name for the importer) and on the importer. */
    private static String exporterPath(Pair pair, String query) {
        return "/v1/peering/" + pair.importerName() + "/services?partition=" + pair.partition() + query;
    }

    private static String importerPath(Pair pair, String query) {
        return "/v1/peering/" + pair.exporterName() + "/services?partition=" + pair.partition() + query;
    }

    private static Pair peer() {
        return link.peer();
    }

    private static void register(ConsulHttp cluster, String partition, String service, String instance) {
        HttpResponse<String> response = cluster.send("PUT", "/v1/catalog/register?partition=" + partition,
                "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"" + instance + "\",\"Service\":\""
                        + service + "\",\"Port\":8080}}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private static void export(Pair pair, String... services) {
        link.export(pair, services);
    }

    private static JsonNode report(ConsulHttp cluster, String path) {
        HttpResponse<String> response = cluster.get(path);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    /** The entry for a service in a report's list, or null. */
    private static JsonNode entry(JsonNode report, String list, String service) {
        for (JsonNode entry : report.get(list)) {
            if (entry.get("Service").asText().equals(service)) {
                return entry;
            }
        }
        return null;
    }

    private static boolean hasState(JsonNode report, String list, String service, String state) {
        JsonNode entry = entry(report, list, service);
        return entry != null && entry.get("State").asText().equals(state);
    }

    @Test
    void anExportedServiceReadsSyncedOnBothSidesWithTheSameVersionAndInstances() {
        Pair pair = peer();
        register(exporter, pair.partition(), "backend", "backend-1");
        register(exporter, pair.partition(), "backend", "backend-2");
        register(exporter, pair.partition(), "db", "db-1");
        export(pair, "backend");

        AtomicReference<JsonNode> seen = new AtomicReference<>();
        Eventually.within(LIMIT, "backend synced on the exporter", () -> {
            seen.set(report(exporter, exporterPath(pair, "")));
            return hasState(seen.get(), "Exported", "backend", "synced");
        });
        JsonNode mine = entry(seen.get(), "Exported", "backend");
        assertTrue(seen.get().get("PeerViewKnown").asBoolean(), seen.get().toString());
        assertEquals("", mine.get("Reason").asText());
        assertEquals(2, mine.get("Exporter").get("Instances").asLong());
        assertEquals(mine.get("Exporter").get("Digest"), mine.get("Importer").get("Digest"));
        assertEquals(mine.get("Exporter").get("Version"), mine.get("Importer").get("Version"),
                "the importer applied the exporter's version");
        assertNotNull(mine.get("Exporter").get("ChangedAt").textValue(), mine.toString());
        assertEquals(1, seen.get().get("Exported").size(), "db is not exported: " + seen.get());

        JsonNode theirs = report(importer, importerPath(pair, ""));
        JsonNode imported = entry(theirs, "Imported", "backend");
        assertEquals("synced", imported.get("State").asText(), theirs.toString());
        assertEquals(mine.get("Exporter"), imported.get("Exporter"), "the importer sees the exporter's half as it is");
        assertEquals(0, theirs.get("Exported").size());

        JsonNode db = report(exporter, exporterPath(pair, "&service=db"));
        assertEquals(1, db.get("Exported").size(), db.toString());
        assertEquals("refused", db.get("Exported").get(0).get("State").asText());
        assertEquals("not in exported-services", db.get("Exported").get(0).get("Reason").asText());
        assertEquals(1, db.get("Exported").get(0).get("Exporter").get("Instances").asLong());
        assertTrue(db.get("Exported").get(0).get("Importer").isNull());

        assertEquals(400, exporter.get(exporterPath(pair, "&service=a%23b")).statusCode());
        HttpResponse<String> missing = exporter.get("/v1/peering/never-there/services?partition=" + pair.partition());
        assertEquals(404, missing.statusCode(), missing.body());
    }

    @Test
    void aChangeThePeerNeverGotIsPendingWithHowLongItWasNotAcknowledgedAndHeals() throws Exception {
        Pair pair = peer();
        register(exporter, pair.partition(), "search", "search-1");
        export(pair, "search", "orders");
        register(exporter, pair.partition(), "orders", "orders-1");
        Eventually.within(LIMIT, "both synced", () -> {
            JsonNode report = report(importer, importerPath(pair, ""));
            return hasState(report, "Imported", "search", "synced") && hasState(report, "Imported", "orders", "synced");
        });

        link.cut();
        try {
            register(exporter, pair.partition(), "search", "search-2");
            export(pair, "search");
            Thread.sleep(1500);
            // dc1 cannot reach dc2: its report says the peer's half is unknown, never synced.
            JsonNode exporterReport = report(exporter, exporterPath(pair, ""));
            assertFalse(exporterReport.get("PeerViewKnown").asBoolean(), exporterReport.toString());
            JsonNode search = entry(exporterReport, "Exported", "search");
            assertEquals("pending", search.get("State").asText(), search.toString());
            assertTrue(search.get("Reason").asText().startsWith("the peer's view is unknown: "), search.toString());

            // dc2 still reaches dc1, so it knows what it lacks.
            JsonNode importerReport = report(importer, importerPath(pair, ""));
            assertTrue(importerReport.get("PeerViewKnown").asBoolean(), importerReport.toString());
            JsonNode lagging = entry(importerReport, "Imported", "search");
            assertEquals("pending", lagging.get("State").asText(), lagging.toString());
            assertTrue(lagging.get("Reason").asText().matches("last change not acknowledged for \\d+ s"), lagging.toString());
            assertEquals(2, lagging.get("Exporter").get("Instances").asLong());
            assertEquals(1, lagging.get("Importer").get("Instances").asLong());
            assertTrue(lagging.get("Importer").get("Version").asLong() < lagging.get("Exporter").get("Version").asLong());
            JsonNode orders = entry(importerReport, "Imported", "orders");
            assertEquals("purging", orders.get("State").asText(), orders.toString());
            assertEquals("not in exported-services", orders.get("Reason").asText());
        } finally {
            link.restore();
        }

        Eventually.within(LIMIT, "the next resync heals search and removes orders", () -> {
            JsonNode report = report(importer, importerPath(pair, ""));
            return hasState(report, "Imported", "search", "synced") && entry(report, "Imported", "orders") == null;
        });
        JsonNode healed = report(exporter, exporterPath(pair, ""));
        assertTrue(hasState(healed, "Exported", "search", "synced"), healed.toString());
        assertEquals(1, healed.get("Exported").size(), "orders is gone on both sides: " + healed);
    }

    @Test
    void aPeerThatRefusesOurMessagesMakesTheServiceRefusedWithItsAnswerUntilItTakesThem() throws Exception {
        try (FakePeer fake = FakePeer.start(Duration.ofSeconds(5));
             LocalCluster cluster = startCluster("dc3", Map.of("peering.heartbeat-interval", "1h"))) {
            ConsulHttp http = client(cluster);
            fake.establish("cluster", PeeringFlow.generate(http, "fake"));
            register(http, "default", "web", "web-1");
            HttpResponse<String> entry = http.send("PUT", "/v1/config", "{\"Kind\":\"exported-services\","
                    + "\"Name\":\"default\",\"Services\":[{\"Name\":\"web\",\"Consumers\":[{\"Peer\":\"fake\"}]}]}");
            assertEquals(200, entry.statusCode(), entry.body());
            HeartbeatService heartbeats = cluster.context().getBean(HeartbeatService.class);
            fake.mode(FakePeer.Mode.GARBAGE_ERROR);
            heartbeats.sendHeartbeats();
            register(http, "default", "web", "web-2");

            Eventually.within(LIMIT, "web refused with the peer's answer", () -> {
                heartbeats.sendHeartbeats(); // each round's resync is refused again
                JsonNode web = entry(report(http, "/v1/peering/fake/services"), "Exported", "web");
                return web != null && web.get("State").asText().equals("refused")
                        && web.get("Reason").asText().matches("(service list|update|chunk) refused: 500 \\P{C}*");
            });
            JsonNode refused = report(http, "/v1/peering/fake/services");
            assertFalse(refused.get("PeerViewKnown").asBoolean(), "the peer answers its half with an error too");
            assertTrue(refused.get("PeerError").asText().contains("500"), refused.toString());

            fake.mode(FakePeer.Mode.HONEST);
            heartbeats.sendHeartbeats();
            Eventually.within(LIMIT, "synced once the peer takes the resync", () -> {
                heartbeats.sendHeartbeats();
                return hasState(report(http, "/v1/peering/fake/services"), "Exported", "web", "synced");
            });
        }
    }
}
