package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.local.LocalStreamPoller;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.DynamoDbCalls;
import io.clusterpeering.support.PeeringFlow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 21: what one {@code PUT /v1/catalog/register} costs does not grow with the size of the service it
 * registers into. Through the HTTP API of a local cluster on DynamoDB Local, counting every DynamoDB call of the
 * real client ({@link DynamoDbCalls}, on the threads that answer requests, with the stream poller stopped and the
 * heartbeats' scheduled threads left out): one new instance registered into a service of one instance and into the same
 * service at several hundred instances makes the same calls, reading and writing the same number of items, with
 * every instance on its own node and with every instance on a few shared nodes. The service is grown by callers on
 * real threads registering at once, and every one of their registrations lands (the health read lists each of
 * them). A registration that changes its node costs the same with 10 or 150 instances on the node.
 */
class RegistrationCostTest {
    private static final int CALLERS = 4;
    /** Instances a service grows to: enough for two copy transactions of 90 and a cost compared at 1 and at this. */
    private static final int GROWN = 150;
    private static final int SHARED_NODES = 5;
    private static final Predicate<String> REQUEST_THREADS = thread -> !thread.startsWith("scheduled-executor");
    private static LocalCluster cluster;
    private static ConsulHttp http;
    private static DynamoDbCalls calls;

    @BeforeAll
    static void start() {
        cluster = PeeringFlow.startCluster("dc1", Map.of("peering.test.call-counting", "true",
                "peering.heartbeat-interval", "1h"));
        http = PeeringFlow.client(cluster);
        calls = cluster.context().getBean(DynamoDbCalls.class);
        // Nothing here is exported, so the stream has nothing to do; stopped, it cannot race a node's copy either
        // (it finishes copies a crash left unfinished), and every call counted is the request's own.
        assertTrue(cluster.context().getBean(LocalStreamPoller.class).stop(Duration.ofSeconds(20)));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** A registration of instance {@code i}; on shared nodes the node's fields are the same every time. */
    private static String registration(String service, int i, int nodes) {
        String node = nodes == 0 ? service + "-node-" + i : service + "-node-" + (i % nodes);
        String id = service + "-" + i;
        return "{\"Node\":\"" + node + "\",\"Address\":\"10.0.0." + (node.hashCode() & 127) + "\","
                + "\"NodeMeta\":{\"rack\":\"r1\"},"
                + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"" + service + "\",\"Port\":8080,\"Tags\":[\"v1\"]},"
                + "\"Check\":{\"CheckID\":\"" + id + "-http\",\"Name\":\"http\",\"Status\":\"passing\","
                + "\"ServiceID\":\"" + id + "\"}}";
    }

    private static void register(String service, int i, int nodes) {
        HttpResponse<String> response = http.put("/v1/catalog/register", registration(service, i, nodes));
        assertEquals(200, response.statusCode(), response.body());
    }

    /** What one registration of a new instance costs: calls per operation, items read, items written. */
    private record Cost(Map<String, Integer> calls, int itemsRead, int itemsWritten) {
    }

    private static Cost costOf(String service, int i, int nodes) {
        calls.clear();
        register(service, i, nodes);
        List<DynamoDbCalls.Call> made = calls.calls(REQUEST_THREADS);
        return new Cost(DynamoDbCalls.byOperation(made), made.stream().mapToInt(DynamoDbCalls.Call::itemsRead).sum(),
                made.stream().mapToInt(DynamoDbCalls.Call::itemsWritten).sum());
    }

    /** Registers instances {@code from..to-1} from {@link #CALLERS} threads at once. */
    private static void concurrently(String service, int from, int to, int nodes) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                done.add(callers.submit(() -> {
                    for (int i = from + caller; i < to; i += CALLERS) {
                        register(service, i, nodes);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            callers.shutdownNow();
        }
    }

    private void assertCostDoesNotGrow(String service, int nodes) throws Exception {
        register(service, 0, nodes);
        Cost small = costOf(service, 1, nodes);
        assertEquals(Map.of("TransactGetItems", 1, "TransactWriteItems", 1), small.calls(),
                "a new instance on a node left as it is: one snapshot read and one transaction");
        concurrently(service, 2, GROWN, nodes);
        Cost large = costOf(service, GROWN, nodes);
        assertEquals(small, large, "the same calls and items at " + GROWN + " instances as at 1");

        JsonNode health = json(http.get("/v1/health/service/" + service).body());
        Set<String> ids = new HashSet<>();
        health.forEach(entry -> ids.add(entry.get("Service").get("ID").asText()));
        assertEquals(GROWN + 1, ids.size(), "every concurrent registration landed");
        for (int i = 0; i <= GROWN; i++) {
            assertTrue(ids.contains(service + "-" + i), service + "-" + i + " is listed");
        }
    }

    /** What one registration that changes an existing node (its NodeMeta) costs: calls per operation, on request threads. */
    private static Map<String, Integer> nodeChangeCost(String service, String rack) {
        calls.clear();
        String changed = registration(service, 0, 1).replace("\"rack\":\"r1\"", "\"rack\":\"" + rack + "\"");
        assertEquals(200, http.put("/v1/catalog/register", changed).statusCode());
        return DynamoDbCalls.byOperation(calls.calls(REQUEST_THREADS));
    }

    /** The rack every instance of the service shows for its node, as the health read answers. */
    private static Set<String> racks(String service, int instances) {
        JsonNode health = json(http.get("/v1/health/service/" + service).body());
        assertEquals(instances, health.size());
        Set<String> racks = new HashSet<>();
        health.forEach(entry -> racks.add(entry.get("Node").get("Meta").get("rack").asText()));
        return racks;
    }

    /**
     * A registration that changes its node costs the same whatever the number of instances on the node: it tells
     * the head of each service on the node (one query of the node's pointers, one UpdateItem per service),
     * writes the node with its own instance and looks once more for services that joined the node meanwhile; reads put the node as it is over the other instances' copies at
     * once; the copy into them is the stream's, 90 instances per transaction, and clears what the head was told.
     */
    @Test
    void aNodeChangeCostsTheSameWhateverTheNumberOfInstancesOnTheNode() throws Exception {
        concurrently("fewonnode", 0, 10, 1);
        concurrently("manyonnode", 0, GROWN, 1);
        Map<String, Integer> few = nodeChangeCost("fewonnode", "r2");
        Map<String, Integer> many = nodeChangeCost("manyonnode", "r2");
        // The snapshot read, the node's pointers, the head told, the snapshot read again, the transaction, the
        // node's pointers again (a service that joined the node meanwhile is told too).
        assertEquals(Map.of("TransactGetItems", 2, "Query", 2, "UpdateItem", 1, "TransactWriteItems", 1), few);
        assertEquals(few, many, "the same calls with " + GROWN + " instances on the node as with 10");
        assertEquals(Set.of("r2"), racks("manyonnode", GROWN), "every instance shows the node as it is now");

        calls.clear();
        cluster.context().getBean(CatalogStore.class).refreshNodeCopies("default", "manyonnode-node-0");
        int chunks = (GROWN - 1 + 89) / 90;
        assertEquals(chunks, DynamoDbCalls.byOperation(calls.calls(REQUEST_THREADS)).get("TransactWriteItems"),
                "the stream's copy: 90 instances per transaction");
        calls.clear();
        assertEquals(Set.of("r2"), racks("manyonnode", GROWN), "the copies hold the node now");
        assertEquals(Map.of("Query", 1), DynamoDbCalls.byOperation(calls.calls(REQUEST_THREADS)),
                "once copied, the head names the node no more: a read is one query again");
    }

    @Test
    void aRegistrationCostsTheSameInALargeServiceWithEveryInstanceOnItsOwnNode() throws Exception {
        assertCostDoesNotGrow("distinct", 0);
    }

    @Test
    void aRegistrationCostsTheSameInALargeServiceOnSharedNodes() throws Exception {
        assertCostDoesNotGrow("shared", SHARED_NODES);
    }
}
