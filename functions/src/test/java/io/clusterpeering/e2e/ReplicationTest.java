package io.clusterpeering.e2e;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.function.ExportStreamFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.StreamEvents;
import io.clusterpeering.support.CuttableLink;
import io.clusterpeering.support.CuttableLink.Pair;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Export and import between two local clusters through HTTP, as the README walkthrough does: cluster-01
 * (dc1) registers services and exports them to cluster-02 (dc2), which reads them with {@code ?peer=}. Each
 * test peers its own pair of names, so tests do not see each other's exports. Every response is checked
 * against the OpenAPI document.
 */
class ReplicationTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static CuttableLink link;
    private static LocalCluster dc1;
    private static LocalCluster dc2;
    private static ConsulHttp exporter;
    private static ConsulHttp importer;

    @BeforeAll
    static void startClusters() throws java.io.IOException {
        link = CuttableLink.start(Map.of());
        dc1 = link.exporterCluster();
        dc2 = link.importerCluster();
        exporter = link.exporter();
        importer = link.importer();
    }

    @AfterAll
    static void stopClusters() throws java.io.IOException {
        link.close();
    }

    private static Pair peer() {
        return link.peer();
    }

    private static void register(Pair pair, String service, String instance, String status) {
        HttpResponse<String> response = exporter.send("PUT", "/v1/catalog/register?partition=" + pair.partition(),
                "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"" + instance + "\",\"Service\":\""
                        + service + "\",\"Port\":8080,\"Tags\":[\"v1\"]},\"Checks\":[{\"CheckID\":\"" + instance
                        + "-http\",\"Name\":\"http\",\"Status\":\"" + status + "\",\"ServiceID\":\"" + instance
                        + "\"},{\"CheckID\":\"serfHealth\",\"Name\":\"node alive\",\"Status\":\"passing\"}]}");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("true", response.body());
    }

    private static void export(Pair pair, String... services) {
        link.export(pair, services);
    }

    private static JsonNode importedHealth(Pair pair, String service, String extraQuery) {
        HttpResponse<String> response = importer.get("/v1/health/service/" + service + "?partition=" + pair.partition()
                + "&peer=" + pair.exporterName() + extraQuery);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    @Test
    void anExportedServiceIsVisibleOnThePeerWithOneFoldedCheck() {
        Pair pair = peer();
        register(pair, "backend", "backend-1", "passing");
        export(pair, "backend");

        Eventually.within(LIMIT, "the importer sees backend", () -> importedHealth(pair, "backend", "").size() == 1);
        JsonNode entry = importedHealth(pair, "backend", "").get(0);
        assertEquals(pair.exporterName(), entry.get("Service").get("PeerName").asText());
        assertEquals("backend-1", entry.get("Service").get("ID").asText());
        assertEquals(8080, entry.get("Service").get("Port").asInt());
        assertEquals(1, entry.get("Checks").size(), "the checks are folded into one");
        assertEquals("backend-1:overall-check", entry.get("Checks").get(0).get("CheckID").asText());
        assertEquals("passing", entry.get("Checks").get(0).get("Status").asText());

        JsonNode catalog = json(importer.get("/v1/catalog/service/backend?partition=" + pair.partition() + "&peer="
                + pair.exporterName()).body());
        assertEquals(pair.exporterName(), catalog.get(0).get("PeerName").asText());
        assertEquals("{\"backend\":[\"v1\"]}", importer.get("/v1/catalog/services?partition=" + pair.partition()
                + "&peer=" + pair.exporterName()).body());
        assertEquals("[]", importer.get("/v1/health/service/backend?partition=" + pair.partition()).body(),
                "nothing local on the importer");
        assertEquals("[{\"Service\":\"backend\",\"SourcePeer\":\"" + pair.exporterName() + "\"}]",
                importer.get("/v1/imported-services?partition=" + pair.partition()).body());
        assertEquals("[{\"Service\":\"backend\",\"Consumers\":{\"Peers\":[\"" + pair.importerName() + "\"]}}]",
                exporter.get("/v1/exported-services?partition=" + pair.partition()).body());
        Eventually.within(LIMIT, "StreamStatus lists the services on both sides", () ->
                read(importer, pair.exporterName() + "?partition=" + pair.partition()).get("StreamStatus")
                        .get("ImportedServices").toString().equals("[\"backend\"]")
                        && read(exporter, pair.importerName() + "?partition=" + pair.partition()).get("StreamStatus")
                        .get("ExportedServices").toString().equals("[\"backend\"]"));
    }

    /**
     * A registration that changes a node (its address) is copied into the node's other instances by the stream,
     * and the peer gets every instance on the node with the new address (the copies' stream records export them).
     */
    @Test
    void aNodeChangeReachesThePeerForEveryInstanceOnTheNode() {
        Pair pair = peer();
        register(pair, "inventory", "inventory-1", "passing");
        register(pair, "inventory", "inventory-2", "passing");
        export(pair, "inventory");
        Eventually.within(LIMIT, "the importer sees both", () -> importedHealth(pair, "inventory", "").size() == 2);

        HttpResponse<String> moved = exporter.send("PUT", "/v1/catalog/register?partition=" + pair.partition(),
                "{\"Node\":\"node-1\",\"Address\":\"10.0.0.2\"}");
        assertEquals(200, moved.statusCode(), moved.body());
        JsonNode local = json(exporter.get("/v1/health/service/inventory?partition=" + pair.partition()).body());
        assertEquals(2, local.size());
        local.forEach(entry -> assertEquals("10.0.0.2", entry.get("Node").get("Address").asText(),
                "the exporter's own read shows the node as changed at once"));
        Eventually.within(LIMIT, "the importer sees the new address on both instances", () -> {
            JsonNode imported = importedHealth(pair, "inventory", "");
            return imported.size() == 2 && java.util.stream.StreamSupport.stream(imported.spliterator(), false)
                    .allMatch(entry -> "10.0.0.2".equals(entry.get("Node").get("Address").asText()));
        });
    }

    @Test
    void aCheckTurningCriticalIsSeenCriticalOnThePeer() {
        Pair pair = peer();
        register(pair, "payments", "payments-1", "passing");
        export(pair, "payments");
        Eventually.within(LIMIT, "imported passing", () -> importedHealth(pair, "payments", "&passing").size() == 1);

        register(pair, "payments", "payments-1", "critical");

        Eventually.within(LIMIT, "the peer sees critical", () -> importedHealth(pair, "payments", "").size() == 1
                && importedHealth(pair, "payments", "").get(0).get("Checks").get(0).get("Status").asText().equals("critical"));
        assertEquals(0, importedHealth(pair, "payments", "&passing").size(), "?passing drops it");
    }

    @Test
    void unexportingAServiceRemovesItOnThePeer() {
        Pair pair = peer();
        register(pair, "orders", "orders-1", "passing");
        register(pair, "billing", "billing-1", "passing");
        export(pair, "orders", "billing");
        Eventually.within(LIMIT, "both imported", () -> importedHealth(pair, "orders", "").size() == 1
                && importedHealth(pair, "billing", "").size() == 1);

        export(pair, "billing");

        Eventually.within(LIMIT, "orders is gone on the peer", () -> importedHealth(pair, "orders", "").size() == 0);
        assertEquals(1, importedHealth(pair, "billing", "").size());
        // Its instances are deleted, not just hidden; its head stays (it keeps the service's Consul index).
        Eventually.within(LIMIT, "and its items are deleted, not just hidden", () -> importedItems(dc2, pair).stream()
                .noneMatch(sk -> sk.startsWith("SERVICE#orders#") && !sk.equals("SERVICE#orders#")));
    }

    @Test
    void aDroppedUpdateIsHealedByTheDigestResync() throws Exception {
        Pair pair = peer();
        register(pair, "search", "search-1", "passing");
        export(pair, "search");
        Eventually.within(LIMIT, "imported", () -> importedHealth(pair, "search", "").size() == 1);

        // Cut the path from the exporter to the importer: the update for search-2 is dropped.
        link.cut();
        register(pair, "search", "search-2", "passing");
        Thread.sleep(1500);
        assertEquals(1, importedHealth(pair, "search", "").size(), "the update did not arrive");

        link.restore();

        Eventually.within(LIMIT, "the next heartbeat's resync sent search again",
                () -> importedHealth(pair, "search", "").size() == 2);
    }

    @Test
    void reRegisteringAServiceIdUnderAnotherNameReplacesTheInstanceHereAndOnThePeer() {
        Pair pair = peer();
        register(pair, "alpha", "shared-1", "passing");
        export(pair, "alpha", "beta");
        Eventually.within(LIMIT, "alpha imported", () -> importedHealth(pair, "alpha", "").size() == 1);

        register(pair, "beta", "shared-1", "passing");

        assertEquals("[]", exporter.get("/v1/health/service/alpha?partition=" + pair.partition()).body(),
                "the ID now belongs to beta: alpha has no instance left, as in Consul");
        JsonNode beta = json(exporter.get("/v1/health/service/beta?partition=" + pair.partition()).body());
        assertEquals(1, beta.size());
        assertEquals("shared-1", beta.get(0).get("Service").get("ID").asText());
        java.util.Set<String> checks = new java.util.TreeSet<>();
        beta.get(0).get("Checks").forEach(check -> checks.add(check.get("CheckID").asText()));
        assertEquals(java.util.Set.of("serfHealth", "shared-1-http"), checks, "its checks came with it");
        Eventually.within(LIMIT, "the peer sees the same", () -> importedHealth(pair, "alpha", "").size() == 0
                && importedHealth(pair, "beta", "").size() == 1);
        assertEquals("{\"beta\":[\"v1\"]}", exporter.get("/v1/catalog/services?partition=" + pair.partition()).body());
    }

    @Test
    void deletingThePeeringOnTheImporterLeavesNothingImported() {
        Pair pair = peer();
        register(pair, "cart", "cart-1", "passing");
        export(pair, "cart");
        Eventually.within(LIMIT, "imported", () -> importedHealth(pair, "cart", "").size() == 1);

        assertEquals(200, importer.delete("/v1/peering/" + pair.exporterName() + "?partition=" + pair.partition()).statusCode());
        HttpResponse<String> during = importer.get("/v1/peering/" + pair.exporterName() + "?partition=" + pair.partition());
        if (during.statusCode() == 200) {
            assertTrue(json(during.body()).get("StreamStatus").has("ImportedItemsLeft"),
                    "while DELETING, the read says how many imported items are left: " + during.body());
        }

        Eventually.within(LIMIT, "no imported item remains (table scan)", () -> importedItems(dc2, pair).isEmpty());
        Eventually.within(LIMIT, "the peering is gone", () -> importer.get("/v1/peering/" + pair.exporterName()
                + "?partition=" + pair.partition()).statusCode() == 404);
    }

    @Test
    void deletingThePeeringOnTheExporterLeavesNothingImportedOnThePeer() {
        Pair pair = peer();
        register(pair, "stock", "stock-1", "passing");
        export(pair, "stock");
        Eventually.within(LIMIT, "imported", () -> importedHealth(pair, "stock", "").size() == 1);

        assertEquals(200, exporter.delete("/v1/peering/" + pair.importerName() + "?partition=" + pair.partition()).statusCode());

        Eventually.within(LIMIT, "the importer's side is TERMINATED", () -> read(importer, pair.exporterName()
                + "?partition=" + pair.partition()).get("State").asText().equals("TERMINATED"));
        Eventually.within(LIMIT, "no imported item remains (table scan)", () -> importedItems(dc2, pair).isEmpty());
        Eventually.within(LIMIT, "the TERMINATED row says nothing is left", () -> read(importer, pair.exporterName()
                + "?partition=" + pair.partition()).get("StreamStatus").get("ImportedItemsLeft").asInt() == 0);
    }

    @Test
    void theStreamHandlersRunTwiceOnTheSameRecordsChangeNothingTheSecondTime() {
        Pair pair = peer();
        register(pair, "ledger", "ledger-1", "passing");
        export(pair, "ledger");
        Eventually.within(LIMIT, "imported", () -> importedHealth(pair, "ledger", "").size() == 1);

        DynamodbEvent instanceChange = record("CATALOG#" + pair.partition(), "SERVICE#ledger#node-1#ledger-1", Map.of());
        DynamodbEvent staleUnexport = record("IMPORTED#" + pair.partition() + "#" + pair.exporterName(), "HEAD#ledger",
                Map.of("exported", new com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue()
                        .withBOOL(false)));
        IndexScope ledger = IndexScope.importedService(new PeeringKey(pair.partition(), pair.exporterName()), "ledger");
        new ExportStreamFunction(dc1.context()).execute(instanceChange);
        new PeeringStreamFunction(dc2.context()).execute(staleUnexport);
        // The clusters' own pollers and the resync after connecting may still be writing the import: measure from
        // an index that has stopped moving, so only the replayed records below could move it.
        long importerIndex = settledIndex(ledger);
        List<String> itemsBefore = importedItems(dc2, pair);

        new ExportStreamFunction(dc1.context()).execute(instanceChange);
        new PeeringStreamFunction(dc2.context()).execute(staleUnexport);

        assertEquals(importerIndex, dc2.context().getBean(ConsulIndex.class).current(ledger), "nothing was written");
        assertEquals(itemsBefore, importedItems(dc2, pair));
        assertEquals(1, importedHealth(pair, "ledger", "").size(), "a replayed unexport record purges nothing still exported");
    }

    @Test
    void anOlderExportedServicesListArrivingLateDoesNotUndoANewerOne() {
        Pair pair = peer();
        register(pair, "journal", "journal-1", "passing");
        export(pair, "journal");
        Eventually.within(LIMIT, "imported", () -> importedHealth(pair, "journal", "").size() == 1);
        // The newer list is taken once the import stops moving (the resync after connecting may still be at work).
        settledIndex(IndexScope.importedService(new PeeringKey(pair.partition(), pair.exporterName()), "journal"));
        var exporterRow = dc1.context().getBean(io.clusterpeering.store.PeeringStore.class)
                .find(new PeeringKey(pair.partition(), pair.importerName())).orElseThrow();

        // A list made before the export (from a heartbeat's view a moment old), delivered after the newer one: it
        // names another service, "ghost", instead of journal. Ignored whole: nothing asked for, nothing hidden.
        HttpResponse<String> late = sendList(exporterRow, 1);
        assertEquals(200, late.statusCode(), late.body());
        assertEquals("{\"Resend\":[]}", late.body());
        assertEquals(1, importedHealth(pair, "journal", "").size(), "the late, older list hid nothing");

        // The same list viewed now is taken: the importer asks for ghost, which it lacks (the exporter's own next
        // resync, newer still, then names journal again and nothing of ghost).
        HttpResponse<String> current = sendList(exporterRow, System.currentTimeMillis());
        assertEquals(200, current.statusCode(), current.body());
        assertEquals("{\"Resend\":[\"ghost\"]}", current.body());
        Eventually.within(LIMIT, "the exporter's newer resync shows journal again",
                () -> importedHealth(pair, "journal", "").size() == 1);
    }

    /**
     * The importer's index of an imported service once it has stopped moving (the same over half a second): the
     * clusters' own stream pollers and the resync after connecting may still be writing the import.
     */
    private static long settledIndex(IndexScope scope) {
        ConsulIndex indexes = dc2.context().getBean(ConsulIndex.class);
        long[] settled = {indexes.current(scope)};
        Eventually.within(LIMIT, "the import has settled", () -> {
            long before = settled[0];
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            settled[0] = indexes.current(scope);
            return settled[0] == before;
        });
        return settled[0];
    }

    /**
     * Signs, as the exporter's peering, an exported-services list naming one service the exporter does not have
     * ({@code ghost}, one instance), and posts it to the importer.
     */
    private static HttpResponse<String> sendList(io.clusterpeering.domain.Peering exporterRow, long viewedAt) {
        var list = new io.clusterpeering.peer.ReplicationMessages.ServiceList(List.of(
                new io.clusterpeering.peer.ReplicationMessages.ListedService("ghost", "1", 1, 1)), List.of(), "",
                List.of(), viewedAt);
        String signed = dc1.context().getBean(io.clusterpeering.peer.PeerMessages.class).signMessage(
                io.clusterpeering.peer.PeerMessage.Kind.EXPORTED_SERVICES, exporterRow.id(), exporterRow.peerId(),
                java.time.Instant.now(), list.toClaim());
        return importer.send("POST", "/v1/internal/peering/message", signed);
    }

    @Test
    void configEntriesAreValidatedWithConsulsMessagesAndReadBack() {
        Pair pair = peer();
        String partition = pair.partition();
        HttpResponse<String> wildcardPeer = exporter.send("PUT", "/v1/config?partition=" + partition,
                "{\"Kind\":\"service-intentions\",\"Name\":\"backend\",\"Sources\":[{\"Name\":\"frontend\",\"Peer\":\"*\",\"Action\":\"allow\"}]}");
        assertEquals(400, wildcardPeer.statusCode());
        assertEquals("Sources[0].Peer: cannot use wildcard '*' in peer", wildcardPeer.body());
        HttpResponse<String> badName = exporter.send("PUT", "/v1/config",
                "{\"Kind\":\"exported-services\",\"Name\":\"web\",\"Services\":[]}");
        assertEquals(400, badName.statusCode());
        assertEquals("exported-services Name must be \"default\"", badName.body());
        HttpResponse<String> unknownKind = exporter.send("PUT", "/v1/config", "{\"Kind\":\"mesh\",\"Name\":\"mesh\"}");
        assertEquals(400, unknownKind.statusCode());

        HttpResponse<String> intention = exporter.send("PUT", "/v1/config?partition=" + partition,
                "{\"Kind\":\"service-intentions\",\"Name\":\"backend\",\"Sources\":[{\"Name\":\"frontend\",\"Peer\":\""
                        + pair.importerName() + "\",\"Action\":\"allow\"}]}");
        assertEquals("true", intention.body());
        HttpResponse<String> resolver = exporter.send("PUT", "/v1/config?partition=" + partition,
                "{\"Kind\":\"service-resolver\",\"Name\":\"backend\",\"Failover\":{\"*\":{\"Targets\":[{\"Peer\":\""
                        + pair.importerName() + "\"}]}}}");
        assertEquals("true", resolver.body());
        JsonNode read = json(exporter.get("/v1/config/service-intentions/backend?partition=" + partition).body());
        assertEquals(pair.importerName(), read.get("Sources").get(0).get("Peer").asText());
        assertTrue(read.get("ModifyIndex").asLong() > 0);
        assertEquals(1, json(exporter.get("/v1/config/service-resolver?partition=" + partition).body()).size());
        assertEquals("true", exporter.delete("/v1/config/service-resolver/backend?partition=" + partition).body());
        HttpResponse<String> gone = exporter.get("/v1/config/service-resolver/backend?partition=" + partition);
        assertEquals(404, gone.statusCode());
        assertEquals("Config entry not found for \"service-resolver\" / \"backend\"", gone.body());
    }

    @Test
    void anExactExportEntryBeatsTheWildcard() {
        Pair pair = peer();
        register(pair, "web", "web-1", "passing");
        register(pair, "api", "api-1", "passing");
        HttpResponse<String> entry = exporter.send("PUT", "/v1/config?partition=" + pair.partition(),
                "{\"Kind\":\"exported-services\",\"Name\":\"" + pair.partition() + "\",\"Services\":["
                        + "{\"Name\":\"web\",\"Consumers\":[{\"Peer\":\"someone-else\"}]},"
                        + "{\"Name\":\"*\",\"Consumers\":[{\"Peer\":\"" + pair.importerName() + "\"}]}]}");
        assertEquals("true", entry.body());

        assertEquals("[{\"Service\":\"api\",\"Consumers\":{\"Peers\":[\"" + pair.importerName() + "\"]}},"
                        + "{\"Service\":\"web\",\"Consumers\":{\"Peers\":[\"someone-else\"]}}]",
                exporter.get("/v1/exported-services?partition=" + pair.partition()).body());
        Eventually.within(LIMIT, "api arrives", () -> importedHealth(pair, "api", "").size() == 1);
        assertEquals(0, importedHealth(pair, "web", "").size(), "web was not exported to this peer");
    }

    @Test
    void badRegistrationsAre400NamingTheField() {
        Pair pair = peer();
        HttpResponse<String> hash = exporter.send("PUT", "/v1/catalog/register?partition=" + pair.partition(),
                "{\"Node\":\"a#b\",\"Address\":\"10.0.0.1\"}");
        assertEquals(400, hash.statusCode());
        assertEquals("Node: \"a#b\" must not contain '#'", hash.body());
        HttpResponse<String> nullCheck = exporter.send("PUT", "/v1/catalog/register?partition=" + pair.partition(),
                "{\"Node\":\"n\",\"Address\":\"10.0.0.1\",\"Checks\":[null]}");
        assertEquals(400, nullCheck.statusCode());
        assertEquals("Checks[0] must be an object", nullCheck.body());
        HttpResponse<String> noNode = exporter.send("PUT", "/v1/catalog/register", "{\"Address\":\"10.0.0.1\"}");
        assertEquals(400, noNode.statusCode());
        assertEquals("Must provide node", noNode.body());
        HttpResponse<String> badStatus = exporter.send("PUT", "/v1/catalog/register",
                "{\"Node\":\"n\",\"Address\":\"10.0.0.1\",\"Check\":{\"CheckID\":\"c\",\"Status\":\"sad\"}}");
        assertEquals(400, badStatus.statusCode());
        assertTrue(badStatus.body().startsWith("Checks[0].Status"), badStatus.body());
    }

    /** The sort keys of every item imported from the pair's exporter on a cluster, by a full table scan. */
    static List<String> importedItems(LocalCluster cluster, Pair pair) {
        DynamoDbClient dynamoDb = cluster.context().getBean(DynamoDbClient.class);
        String table = cluster.context().getProperty("peering.dynamodb.table-name", String.class).orElseThrow();
        String pk = "IMPORTED#" + pair.partition() + "#" + pair.exporterName();
        return dynamoDb.scanPaginator(r -> r.tableName(table)).items().stream()
                .filter(item -> pk.equals(item.get("pk").s()))
                .map(item -> item.get("sk").s()).sorted().toList();
    }

    private static DynamodbEvent record(String pk, String sk,
                                        Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        return StreamEvents.modify(Map.of("pk", pk, "sk", sk), image, "replayed");
    }
}
