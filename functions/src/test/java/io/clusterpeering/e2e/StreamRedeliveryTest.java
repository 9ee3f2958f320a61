package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.function.ExportStreamFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.local.LocalStreamPoller;
import io.clusterpeering.local.StreamRecords;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.FaultInjector;
import io.clusterpeering.support.StreamRecorder;
import io.clusterpeering.support.TableSnapshot;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.Record;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stream handlers (peering and export) under redelivery, on two local clusters. Every batch the stream
 * poller handed them during a walkthrough (establish, export, change, withdraw, delete with purge) is delivered
 * twice more, all batches shuffled: the tables end where the single in-order delivery left them (snapshots
 * compared but for bookkeeping and liveness times). And a purge killed mid-way (a fault after the first of its
 * transactions, for two deliveries) is finished by the next delivery: nothing imported is left, the row is gone.
 */
@TwoClusters(settings = {"peering.test.stream-recording=true", "peering.test.fault-injection=true",
        "peering.heartbeat-interval=1h"})
class StreamRedeliveryTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private final LocalCluster dc1;
    private final LocalCluster dc2;
    private final ConsulHttp exporter;
    private final ConsulHttp importer;

    StreamRedeliveryTest(Clusters clusters) {
        dc1 = clusters.dc1();
        dc2 = clusters.dc2();
        exporter = clusters.client1();
        importer = clusters.client2();
    }

    @Test
    void everyBatchDeliveredThreeTimesOutOfOrderEndsAsDeliveredOnce() {
        peer("p1", "imp", "exp");
        peer("p1", "gone", "gone-exp");
        register("p1", "api", "api-1", 80);
        register("p1", "web", "web-1", 80);
        register("p1", "db", "db-1", 5432);
        export("p1", List.of("api", "web", "db"), List.of("imp", "gone"));
        Eventually.within(LIMIT, "imported", () -> imported("p1", "exp", "db").size() == 1
                && imported("p1", "gone-exp", "db").size() == 1);
        register("p1", "api", "api-1", 8080);
        export("p1", List.of("api", "db"), List.of("imp", "gone"));
        Eventually.within(LIMIT, "web withdrawn, api changed", () -> imported("p1", "exp", "web").size() == 0
                && imported("p1", "exp", "api").path(0).path("Service").path("Port").asInt() == 8080);
        assertEquals(200, importer.delete("/v1/peering/gone-exp?partition=p1").statusCode());
        Eventually.within(LIMIT, "deleted", () -> importer.get("/v1/peering/gone-exp?partition=p1").statusCode() == 404);
        settle();
        Map<String, Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> once1 =
                TableSnapshot.of(dc1).withoutBookkeeping();
        var once2 = TableSnapshot.of(dc2).withoutBookkeeping();

        int redelivered = 0;
        int batches = 0;
        for (LocalCluster cluster : List.of(dc1, dc2)) {
            List<List<Record>> recorded = cluster.context().getBean(StreamRecorder.class).batches();
            batches += recorded.size();
            List<List<Record>> deliveries = new ArrayList<>(recorded);
            deliveries.addAll(recorded);
            Collections.shuffle(deliveries, new Random(42));
            String streamArn = cluster.context().getBean(DynamoDbClient.class).describeTable(r -> r.tableName(
                    cluster.context().getProperty("peering.dynamodb.table-name", String.class).orElseThrow()))
                    .table().latestStreamArn();
            ExportStreamFunction exports = new ExportStreamFunction(cluster.context());
            PeeringStreamFunction peerings = new PeeringStreamFunction(cluster.context());
            for (List<Record> batch : deliveries) {
                var event = StreamRecords.toEvent(batch, streamArn);
                exports.execute(event);
                peerings.execute(event);
                redelivered++;
            }
        }
        settle();
        System.out.printf("StreamRedeliveryTest: %d batches delivered in order, then %d more deliveries (each batch "
                + "twice more, shuffled)%n", batches, redelivered);
        assertEquals(List.of(), TableSnapshot.diff(once1, TableSnapshot.of(dc1).withoutBookkeeping()), "dc1 changed");
        assertEquals(List.of(), TableSnapshot.diff(once2, TableSnapshot.of(dc2).withoutBookkeeping()), "dc2 changed");
        assertTrue(TableSnapshot.of(dc1).brokenInvariants().isEmpty());
        assertTrue(TableSnapshot.of(dc2).brokenInvariants().isEmpty());
        assertEquals(1, imported("p1", "exp", "api").size());
        assertEquals(0, imported("p1", "exp", "web").size());
    }

    @Test
    void aPurgeKilledMidWayIsFinishedByTheNextDelivery() {
        peer("p2", "imp", "exp");
        List<String> services = List.of("s1", "s2");
        for (int i = 0; i < 30; i++) {
            register("p2", "s1", "s1-" + i, 80);
        }
        register("p2", "s2", "s2-1", 80);
        export("p2", services, List.of("imp"));
        Eventually.within(LIMIT, "imported", () -> imported("p2", "exp", "s1").size() == 30
                && imported("p2", "exp", "s2").size() == 1);
        settle();
        FaultInjector injector = dc2.context().getBean(FaultInjector.class);
        injector.clear();
        // The purge deletes in batches of 25: let the first through, then kill two deliveries of the handler.
        FaultInjector.Rule kill = injector.inject("BatchWriteItem", "IMPORTED#p2#exp", thread -> true,
                FaultInjector.Fault.INTERNAL_SERVER_ERROR, 1, 18);
        assertEquals(200, importer.delete("/v1/peering/exp?partition=p2").statusCode());
        Integer[] leftSeen = {null};
        Eventually.within(LIMIT, "the purge was killed twice", () -> {
            HttpResponse<String> during = importer.get("/v1/peering/exp?partition=p2");
            if (during.statusCode() == 200) {
                JsonNode left = json(during.body()).path("StreamStatus").path("ImportedItemsLeft");
                if (left.isInt() && left.asInt() > 0) {
                    leftSeen[0] = left.asInt();
                }
            }
            return kill.remaining().get() == 0;
        });
        Eventually.within(LIMIT, "the peering is gone", () -> importer.get("/v1/peering/exp?partition=p2").statusCode() == 404);
        assertTrue(TableSnapshot.of(dc2).items().keySet().stream().noneMatch(key -> key.startsWith("IMPORTED#p2#")),
                "nothing imported is left");
        assertTrue(TableSnapshot.of(dc2).brokenInvariants().isEmpty());
        System.out.printf("StreamRedeliveryTest: purge killed %d times (%d faults) with ImportedItemsLeft %s seen, "
                + "finished by the next delivery%n", 2, kill.injected().get(), leftSeen[0]);
        injector.clear();
    }

    private void settle() {
        for (LocalCluster cluster : List.of(dc1, dc2)) {
            LocalStreamPoller poller = cluster.context().getBean(LocalStreamPoller.class);
            Eventually.within(LIMIT, "the stream poller caught up", poller::caughtUp);
        }
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (LocalCluster cluster : List.of(dc1, dc2)) {
            LocalStreamPoller poller = cluster.context().getBean(LocalStreamPoller.class);
            Eventually.within(LIMIT, "the stream poller caught up", poller::caughtUp);
        }
    }

    private void peer(String partition, String importerName, String exporterName) {
        HttpResponse<String> token = exporter.post("/v1/peering/token?partition=" + partition,
                "{\"PeerName\":\"" + importerName + "\"}");
        assertEquals(200, token.statusCode(), token.body());
        HttpResponse<String> established = importer.post("/v1/peering/establish?partition=" + partition,
                "{\"PeerName\":\"" + exporterName + "\",\"PeeringToken\":\""
                        + json(token.body()).get("PeeringToken").asText() + "\"}");
        assertEquals(200, established.statusCode(), established.body());
    }

    private void register(String partition, String service, String id, int port) {
        HttpResponse<String> response = exporter.put("/v1/catalog/register?partition=" + partition,
                "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"" + id + "\",\"Service\":\""
                        + service + "\",\"Port\":" + port + "}}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private void export(String partition, List<String> services, List<String> consumers) {
        StringBuilder list = new StringBuilder();
        StringBuilder peers = new StringBuilder();
        for (String consumer : consumers) {
            peers.append(peers.length() == 0 ? "" : ",").append("{\"Peer\":\"").append(consumer).append("\"}");
        }
        for (String service : services) {
            list.append(list.length() == 0 ? "" : ",").append("{\"Name\":\"").append(service)
                    .append("\",\"Consumers\":[").append(peers).append("]}");
        }
        HttpResponse<String> response = exporter.put("/v1/config?partition=" + partition,
                "{\"Kind\":\"exported-services\",\"Name\":\"" + partition + "\",\"Services\":[" + list + "]}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private JsonNode imported(String partition, String peer, String service) {
        HttpResponse<String> response = importer.get("/v1/health/service/" + service + "?partition=" + partition
                + "&peer=" + peer);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }
}
