package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.peer.ReplicationMessages.ServiceUpdate;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.service.ReplicationTraffic;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.PeeringFlow;
import io.clusterpeering.support.TcpForwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replication per service between two local clusters through HTTP: cluster dc1 exports five services of
 * {@link #INSTANCES} instances each to dc2, which it reaches through a TCP forwarder the test can cut. Counts what
 * the exporter sends ({@link ReplicationTraffic}) to show a change costs one small update of its own service, that
 * a dropped update is healed by the digest resync re-sending only that service, that stale and repeated updates
 * are ignored, that a large service crosses in chunks under the message budget, and that unexporting a service
 * removes exactly its instances.
 *
 * <p>CI runs 5 × 40 instances (the issue's case is 5 × 2,000: {@code ScaleBenchmark} runs it at full size).
 * Heartbeat rounds are slowed to one every ten minutes so that the test decides when a resync happens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleReplicationTest {
    /** Instances per exported service in CI. */
    static final int INSTANCES = 40;
    private static final List<String> SERVICES = List.of("svc-1", "svc-2", "svc-3", "svc-4", "svc-5");
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String IMPORTER_NAME = "importer";
    private static final String EXPORTER_NAME = "exporter";

    private static LocalCluster dc1;
    private static LocalCluster dc2;
    private static ConsulHttp exporter;
    private static ConsulHttp importer;
    private static TcpForwarder toImporter;
    private static int toImporterPort;
    private static int importerPort;
    private static ReplicationTraffic traffic;

    @BeforeAll
    static void peerAndExportFiveServices() throws Exception {
        Map<String, Object> slowRounds = Map.of("peering.heartbeat-interval", "10m", "peering.heartbeat-timeout", "30m");
        dc1 = startCluster("dc1", slowRounds);
        toImporterPort = EmbeddedDynamoDb.freePort();
        Map<String, Object> importerSettings = new java.util.HashMap<>(slowRounds);
        importerSettings.put("peering.advertise-url", "http://127.0.0.1:" + toImporterPort);
        dc2 = startCluster("dc2", importerSettings);
        importerPort = PeeringFlow.port(dc2);
        toImporter = TcpForwarder.start(toImporterPort, importerPort);
        exporter = client(dc1);
        importer = client(dc2);
        traffic = dc1.context().getBean(ReplicationTraffic.class);
        assertEquals(200, PeeringFlow.establish(importer, EXPORTER_NAME, PeeringFlow.generate(exporter, IMPORTER_NAME))
                .statusCode());

        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> registrations = new ArrayList<>();
            for (String service : SERVICES) {
                for (int i = 0; i < INSTANCES; i++) {
                    int n = i;
                    registrations.add(pool.submit(() -> register(service, n, "v1", Map.of())));
                }
            }
            for (Future<?> registration : registrations) {
                registration.get();
            }
        } finally {
            pool.shutdownNow();
        }
        export(SERVICES);
        for (String service : SERVICES) {
            Eventually.within(LIMIT, "the importer has all of " + service, () -> imported(service).size() == INSTANCES);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        toImporter.close();
        dc1.close();
        dc2.close();
    }

    private static void register(String service, int i, String tag, Map<String, String> meta) {
        StringBuilder metaJson = new StringBuilder();
        meta.forEach((k, v) -> metaJson.append(metaJson.length() == 0 ? "" : ",").append('"').append(k).append("\":\"")
                .append(v).append('"'));
        HttpResponse<String> response = exporter.send("PUT", "/v1/catalog/register",
                "{\"Node\":\"" + service + "-node-" + i + "\",\"Address\":\"10.1." + (i / 250) + "." + (i % 250) + "\","
                        + "\"Service\":{\"ID\":\"" + service + "-" + i + "\",\"Service\":\"" + service + "\",\"Port\":8080,"
                        + "\"Tags\":[\"" + tag + "\"],\"Meta\":{" + metaJson + "}},"
                        + "\"Check\":{\"CheckID\":\"" + service + "-" + i + "-alive\",\"Name\":\"alive\",\"Status\":\"passing\","
                        + "\"ServiceID\":\"" + service + "-" + i + "\"}}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private static void export(List<String> services) {
        StringBuilder list = new StringBuilder();
        for (String service : services) {
            list.append(list.length() == 0 ? "" : ",").append("{\"Name\":\"").append(service)
                    .append("\",\"Consumers\":[{\"Peer\":\"").append(IMPORTER_NAME).append("\"}]}");
        }
        HttpResponse<String> response = exporter.send("PUT", "/v1/config",
                "{\"Kind\":\"exported-services\",\"Name\":\"default\",\"Services\":[" + list + "]}");
        assertEquals("true", response.body());
    }

    private static JsonNode imported(String service) {
        HttpResponse<String> response = importer.get("/v1/health/service/" + service + "?peer=" + EXPORTER_NAME);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    private static List<String> tagsOf(String service, String serviceId) {
        for (JsonNode entry : imported(service)) {
            if (entry.get("Service").get("ID").asText().equals(serviceId)) {
                List<String> tags = new ArrayList<>();
                entry.get("Service").get("Tags").forEach(t -> tags.add(t.asText()));
                return tags;
            }
        }
        return null;
    }

    /** Waits until the exporter has sent nothing for a second, so a count starts from a quiet state. */
    private static ReplicationTraffic.Counts quietTraffic() throws InterruptedException {
        ReplicationTraffic.Counts before = traffic.snapshot();
        for (int second = 0; second < 30; second++) {
            Thread.sleep(1000);
            ReplicationTraffic.Counts now = traffic.snapshot();
            if (now.totalMessages() == before.totalMessages()) {
                return now;
            }
            before = now;
        }
        throw new AssertionError("the exporter kept sending for 30 s");
    }

    private static long importedIndex(String service) {
        return dc2.context().getBean(ConsulIndex.class)
                .current(IndexScope.importedService(new PeeringKey("default", EXPORTER_NAME), service));
    }

    @Test
    @Order(1)
    void aChangeToOneInstanceCrossesAsOneSmallUpdateOfItsServiceOnly() throws Exception {
        ReplicationTraffic.Counts before = quietTraffic();
        Map<String, Long> indexes = new java.util.TreeMap<>();
        SERVICES.forEach(service -> indexes.put(service, importedIndex(service)));

        register("svc-2", 7, "v2", Map.of());

        Eventually.within(LIMIT, "the peer sees the new tag", () -> List.of("v2").equals(tagsOf("svc-2", "svc-2-7")));
        ReplicationTraffic.Counts sent = quietTraffic().minus(before);
        assertEquals(1, sent.messages(PeerMessage.Kind.SERVICE_UPDATE), "one update: " + sent);
        assertEquals(0, sent.messages(PeerMessage.Kind.SERVICE_SNAPSHOT), "nothing sent whole: " + sent);
        assertTrue(sent.bytes(PeerMessage.Kind.SERVICE_UPDATE) < 4096,
                "the update carries one instance, whatever the size of the export: " + sent);
        SERVICES.stream().filter(s -> !s.equals("svc-2")).forEach(service ->
                assertEquals(indexes.get(service), importedIndex(service), service + " did not move on the peer"));
        assertEquals(INSTANCES, imported("svc-2").size());
    }

    @Test
    @Order(2)
    void aDroppedUpdateIsHealedByTheDigestResyncWhichSendsOnlyThatService() throws Exception {
        toImporter.close();
        register("svc-3", 11, "v3", Map.of());
        Thread.sleep(1000);
        assertEquals(List.of("v1"), tagsOf("svc-3", "svc-3-11"), "the update was dropped");
        toImporter = TcpForwarder.start(toImporterPort, importerPort);
        ReplicationTraffic.Counts before = quietTraffic();
        Map<String, Long> indexes = new java.util.TreeMap<>();
        SERVICES.forEach(service -> indexes.put(service, importedIndex(service)));

        // The first resync finds svc-3 behind its version (an update may still be on its way) and marks it; the
        // second, at the same version, has it sent again.
        HeartbeatService heartbeats = dc1.context().getBean(HeartbeatService.class);
        heartbeats.sendHeartbeats();
        heartbeats.sendHeartbeats();

        Eventually.within(LIMIT, "svc-3 was sent again", () -> List.of("v3").equals(tagsOf("svc-3", "svc-3-11")));
        ReplicationTraffic.Counts sent = quietTraffic().minus(before);
        assertTrue(sent.messages(PeerMessage.Kind.SERVICE_SNAPSHOT) >= 1, sent.toString());
        SERVICES.stream().filter(s -> !s.equals("svc-3")).forEach(service ->
                assertEquals(indexes.get(service), importedIndex(service), service + " was not sent again"));
        assertEquals(INSTANCES, imported("svc-3").size());
    }

    @Test
    @Order(3)
    void staleAndRepeatedUpdatesAreIgnored() throws Exception {
        Peering peering = dc1.context().getBean(PeeringStore.class).find(new PeeringKey("default", IMPORTER_NAME))
                .orElseThrow();
        long v = 1_000_000_000L;
        String current = signed(peering, new VersionedInstance("n-r", "replayed-1", replayed("one"), v));

        assertEquals(200, deliver(current));
        assertEquals(List.of("one"), tagsOf("replayed", "replayed-1"));
        long index = importedIndex("replayed");

        assertEquals(200, deliver(current), "a repeated update is taken");
        assertEquals(index, importedIndex("replayed"), "and changes nothing");
        assertEquals(200, deliver(signed(peering, new VersionedInstance("n-r", "replayed-1", replayed("older"), v - 1))));
        assertEquals(List.of("one"), tagsOf("replayed", "replayed-1"), "an older update is ignored");
        assertEquals(200, deliver(signed(peering, new VersionedInstance("n-r", "replayed-1", null, v - 1))));
        assertEquals(List.of("one"), tagsOf("replayed", "replayed-1"), "an older deletion is ignored");

        assertEquals(200, deliver(signed(peering, new VersionedInstance("n-r", "replayed-1", null, v + 1))));
        assertEquals(null, tagsOf("replayed", "replayed-1"), "a newer deletion removes it");
        assertEquals(200, deliver(current));
        assertEquals(null, tagsOf("replayed", "replayed-1"), "the update before the deletion, arriving late, stays dead");
    }

    private static ServiceInstance replayed(String tag) {
        return new ServiceInstance("n-r", "", "10.9.9.9", "dc1", Map.of(), Map.of(), "replayed-1", "replayed",
                List.of(tag), "", 80, Map.of(), List.of(), "", 0, 0);
    }

    private static String signed(Peering peering, VersionedInstance instance) {
        return dc1.context().getBean(PeerMessages.class).signMessage(PeerMessage.Kind.SERVICE_UPDATE, peering.id(),
                peering.peerId(), Instant.now(), new ServiceUpdate("replayed", List.of(instance)).toClaim());
    }

    private static int deliver(String jws) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + importerPort + PeeringService.MESSAGE_PATH))
                .header("Content-Type", "application/jose").POST(HttpRequest.BodyPublishers.ofString(jws)).build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    @Order(4)
    void aServiceTooLargeForOneMessageCrossesInChunksUnderTheBudget() throws Exception {
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        for (int k = 0; k < 6; k++) {
            meta.put("k" + k, "x".repeat(500));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> registrations = new ArrayList<>();
            for (int i = 0; i < 80; i++) {
                int n = i;
                registrations.add(pool.submit(() -> register("big", n, "v1", meta)));
            }
            for (Future<?> registration : registrations) {
                registration.get();
            }
        } finally {
            pool.shutdownNow();
        }
        ReplicationTraffic.Counts before = quietTraffic();
        List<String> withBig = new ArrayList<>(SERVICES);
        withBig.add("big");

        export(withBig);

        Eventually.within(LIMIT, "the peer has all of big", () -> imported("big").size() == 80);
        ReplicationTraffic.Counts sent = quietTraffic().minus(before);
        assertTrue(sent.messages(PeerMessage.Kind.SERVICE_SNAPSHOT) >= 2, "more than one chunk: " + sent);
        assertTrue(traffic.largestMessage() < 300 * 1024, "every message stays under the budget: " + traffic.largestMessage());
        assertEquals(500, imported("big").get(0).get("Service").get("Meta").get("k0").asText().length());
    }

    @Test
    @Order(5)
    void unexportingOneServiceRemovesExactlyItsInstances() {
        export(SERVICES.subList(0, 4));

        Eventually.within(LIMIT, "svc-5 is gone on the peer", () -> imported("svc-5").size() == 0);
        Eventually.within(LIMIT, "and its instances are deleted, not just hidden", () -> importedKeys("SERVICE#svc-5#").size() == 1);
        SERVICES.subList(0, 4).forEach(service -> assertEquals(INSTANCES, imported(service).size(), service));
        assertEquals(List.of("SERVICE#svc-5#"), importedKeys("SERVICE#svc-5#"), "only its head is left");
    }

    /** The sort keys of the importer's items from the exporter that start with the prefix (a table scan). */
    private static List<String> importedKeys(String prefix) {
        DynamoDbClient dynamoDb = dc2.context().getBean(DynamoDbClient.class);
        String table = dc2.context().getProperty("peering.dynamodb.table-name", String.class).orElseThrow();
        return dynamoDb.scanPaginator(r -> r.tableName(table)).items().stream()
                .filter(item -> ("IMPORTED#default#" + EXPORTER_NAME).equals(item.get("pk").s()))
                .map(item -> item.get("sk").s()).filter(sk -> sk.startsWith(prefix)).sorted().toList();
    }
}
