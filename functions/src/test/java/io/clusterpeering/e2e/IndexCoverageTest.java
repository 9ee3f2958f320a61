package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each blocking read's {@code X-Consul-Index} covers, route by route (the table in README's "Blocking
 * queries"): a blocking query ({@code ?index=&wait=}) on the index it last saw wakes on a change of the data it
 * answers, with a higher index and the change in its body, and sleeps through a change of anything else, answering
 * the same index when its wait ends. As in Consul, whose index is the largest of the tables an answer was read from.
 *
 * <p>dc1 exports to dc2 (dc1 calls the peering {@code to-dc2}, dc2 calls it {@code from-dc1}); a third cluster has
 * ACLs on for the ACL reads.
 */
@TwoClusters
class IndexCoverageTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    /** How long a query that should sleep is given to wake wrongly. */
    private static final String QUIET_WAIT = "1500ms";
    /** The third cluster, ACLs on, and its management client. */
    private static LocalCluster acl;
    private static ConsulHttp management;
    private final ConsulHttp one;
    private final ConsulHttp two;

    IndexCoverageTest(Clusters clusters) {
        one = clusters.client1();
        two = clusters.client2();
    }

    @BeforeAll
    static void startAclClusterAndPeer(Clusters clusters) {
        acl = AclFlow.startCluster("dc3", "deny", Map.of());
        management = client(acl).withToken(AclFlow.bootstrap(client(acl).withToken(null)));
        HttpResponse<String> established = establish(clusters.client2(), "from-dc1", generate(clusters.client1(), "to-dc2"));
        assertEquals(200, established.statusCode(), established.body());
    }

    @AfterAll
    static void stopAclCluster() {
        acl.close();
    }

    @Test
    void aPeeringListCoversThePartitionsPeeringsAndOnePeeringItsOwnRow() throws Exception {
        String name = unique("other");
        wakesOn(two, "/v1/peerings", () -> generate(two, name), body -> body.contains(name));
        sleepsThrough(two, "/v1/peerings", () -> register(two, unique("local"), unique("i")));
        // Consul's PeeringRead watches the row alone: another peering's change does not wake it.
        sleepsThrough(two, "/v1/peering/from-dc1", () -> generate(two, unique("other")));
        sleepsThrough(two, "/v1/peering/from-dc1", () -> register(two, unique("local"), unique("i")));
    }

    @Test
    void localCatalogAndHealthReadsCoverTheirService() throws Exception {
        String service = unique("svc");
        register(one, service, service + "-1");
        for (String route : new String[]{"/v1/catalog/service/", "/v1/health/service/"}) {
            String path = route + service;
            String instance = unique(service);
            wakesOn(one, path, () -> register(one, service, instance), body -> body.contains(instance));
            sleepsThrough(one, path, () -> register(one, unique("other"), unique("i")));
        }
        String added = unique("listed");
        wakesOn(one, "/v1/catalog/services", () -> register(one, added, added + "-1"), body -> body.contains(added));
        sleepsThrough(one, "/v1/catalog/services", () -> generate(one, unique("peer")));
    }

    @Test
    void peerReadsCoverTheImportedServiceAndItsInstances() throws Exception {
        String service = unique("imp");
        register(one, service, service + "-1");
        export(service);
        Eventually.within(LIMIT, "imported", () -> json(two.get("/v1/health/service/" + service + "?peer=from-dc1").body()).size() == 1);

        String health = "/v1/health/service/" + service + "?peer=from-dc1";
        wakesOn(two, health, () -> register(one, service, service + "-1", "critical"), body -> body.contains("\"critical\""));
        sleepsThrough(two, health, () -> register(two, service, unique("local")));

        String catalog = "/v1/catalog/service/" + service + "?peer=from-dc1";
        String second = unique(service);
        wakesOn(two, catalog, () -> register(one, service, second), body -> body.contains(second));
        sleepsThrough(two, catalog, () -> register(two, service, unique("local")));
        wakesOn(two, catalog, () -> deregister(one, second), body -> !body.contains(second));

        String next = unique("imp");
        register(one, next, next + "-1");
        for (String path : new String[]{"/v1/catalog/services?peer=from-dc1", "/v1/imported-services"}) {
            sleepsThrough(two, path, () -> register(two, unique("local"), unique("i")));
        }
        String list = "/v1/catalog/services?peer=from-dc1";
        CompletableFuture<HttpResponse<String>> imported = block(two, "/v1/imported-services", settledIndex(two, "/v1/imported-services"), "20s");
        // The peering's own read shows StreamStatus.ImportedServices: a change of that list moves its ModifyIndex.
        CompletableFuture<HttpResponse<String>> peering = block(two, "/v1/peering/from-dc1", settledIndex(two, "/v1/peering/from-dc1"), "20s");
        wakesOn(two, list, () -> export(service, next), body -> body.contains(next));
        assertTrue(imported.get().body().contains(next), "the imported-services list woke with the new service");
        JsonNode woken = json(peering.get().body());
        assertTrue(woken.get("StreamStatus").get("ImportedServices").toString().contains(next), woken.toString());
        assertEquals(woken.get("ModifyIndex").asLong(), Long.parseLong(peering.get().headers().firstValue("X-Consul-Index").orElseThrow()),
                "the peering's read answers its row's ModifyIndex");
    }

    @Test
    void exportedServicesAndConfigReadsCoverConfigEntries() throws Exception {
        String service = unique("exp");
        register(one, service, service + "-1");
        for (String path : new String[]{"/v1/exported-services", "/v1/config/exported-services",
                "/v1/config/exported-services/default"}) {
            String next = unique("exp");
            register(one, next, next + "-1");
            wakesOn(one, path, () -> export(service, next), body -> body.contains(next));
            sleepsThrough(one, path, () -> generate(one, unique("peer")));
        }
    }

    @Test
    void aclReadsCoverAclWrites() throws Exception {
        JsonNode policy = AclFlow.policy(management, "service_prefix \"\" { policy = \"read\" }");
        String policyPath = "/v1/acl/policy/" + policy.get("ID").asText();
        wakesOn(management, policyPath, () -> assertEquals(200, management.put(policyPath,
                "{\"Name\":\"" + policy.get("Name").asText() + "\",\"Description\":\"changed\",\"Rules\":"
                        + json(management.get(policyPath).body()).get("Rules").toString() + "}").statusCode()),
                body -> body.contains("changed"));
        sleepsThrough(management, policyPath, () -> register(management, unique("svc"), unique("i")));
        for (String path : new String[]{"/v1/acl/policies", "/v1/acl/tokens"}) {
            JsonNode[] made = new JsonNode[1];
            wakesOn(management, path, () -> made[0] = AclFlow.token(management, "node_prefix \"\" { policy = \"read\" }"),
                    body -> body.contains(made[0].get("AccessorID").asText()) || body.contains(made[0].get("Policies").get(0).get("ID").asText()));
            sleepsThrough(management, path, () -> register(management, unique("svc"), unique("i")));
        }
    }

    /** A blocking query on the settled index wakes on {@code change}, above that index, with {@code shows} true of its body. */
    private static void wakesOn(ConsulHttp cluster, String path, Runnable change, Predicate<String> shows) throws Exception {
        long index = settledIndex(cluster, path);
        CompletableFuture<HttpResponse<String>> blocked = block(cluster, path, index, "20s");
        Thread.sleep(200);
        change.run();
        HttpResponse<String> woken = blocked.get();
        assertTrue(index(woken) > index, path + " woke above " + index + ": " + woken.headers().map());
        // A wake may come from an earlier step of the change (a bookkeeping write); the body shows it soon after.
        Eventually.within(LIMIT, path + " shows the change", () -> shows.test(cluster.get(path).body()));
    }

    /** A blocking query on the settled index sleeps through {@code unrelated} and answers the same index after its wait. */
    private static void sleepsThrough(ConsulHttp cluster, String path, Runnable unrelated) throws Exception {
        long index = settledIndex(cluster, path);
        CompletableFuture<HttpResponse<String>> blocked = block(cluster, path, index, QUIET_WAIT);
        unrelated.run();
        assertEquals(index, index(blocked.get()), path + " does not wake on a change it does not cover");
    }

    /**
     * The index a watcher settles on: what a blocking query with it answers after a short wait, as a client's loop
     * would find it. A first read may answer the index of its items, below the counters a blocking query compares.
     */
    private static long settledIndex(ConsulHttp cluster, String path) {
        long[] index = {index(cluster.get(path))};
        Eventually.within(LIMIT, path + " settles", () -> {
            long next = index(block(cluster, path, index[0], "300ms").join());
            boolean same = next == index[0];
            index[0] = next;
            return same;
        });
        return index[0];
    }

    private static CompletableFuture<HttpResponse<String>> block(ConsulHttp cluster, String path, long index, String wait) {
        String separator = path.contains("?") ? "&" : "?";
        return CompletableFuture.supplyAsync(() -> cluster.get(path + separator + "index=" + index + "&wait=" + wait));
    }

    private static long index(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    private static void register(ConsulHttp cluster, String service, String id) {
        register(cluster, service, id, "passing");
    }

    private static void register(ConsulHttp cluster, String service, String id, String status) {
        HttpResponse<String> response = cluster.put("/v1/catalog/register", "{\"Node\":\"n-" + id + "\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"" + service + "\"},"
                + "\"Check\":{\"CheckID\":\"" + id + "-check\",\"Name\":\"check\",\"Status\":\"" + status + "\",\"ServiceID\":\"" + id + "\"}}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private static void deregister(ConsulHttp cluster, String id) {
        assertEquals(200, cluster.put("/v1/catalog/deregister", "{\"Node\":\"n-" + id + "\",\"ServiceID\":\"" + id + "\"}")
                .statusCode());
    }

    /** Writes dc1's exported-services entry: exactly these services, to dc2. */
    private void export(String... services) {
        StringBuilder list = new StringBuilder();
        for (String service : services) {
            list.append(list.isEmpty() ? "" : ",").append("{\"Name\":\"").append(service)
                    .append("\",\"Consumers\":[{\"Peer\":\"to-dc2\"}]}");
        }
        HttpResponse<String> written = one.put("/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[" + list + "]}");
        assertEquals("true", written.body());
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }
}
