package io.clusterpeering.e2e;

import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consul's index semantics through HTTP, now that each kind of data has its own counter and a read without
 * {@code ?index=} reads no counter of its own: {@code X-Consul-Index} is never 0 and never goes backwards for a
 * kind of read (deletions included), a blocking query with the index a read answered waits while nothing changes,
 * and wakes when its data changes (local and {@code ?peer=} health, the service list, the peerings list and one
 * peering).
 */
@TwoClusters
class ConsulIndexTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private final ConsulHttp one;
    private final ConsulHttp two;

    ConsulIndexTest(Clusters clusters) {
        one = clusters.client1();
        two = clusters.client2();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long index(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        long index = Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
        assertTrue(index >= 1, "X-Consul-Index is never 0");
        return index;
    }

    private void register(String service, String id) {
        assertEquals(200, one.send("PUT", "/v1/catalog/register", "{\"Node\":\"n-" + id + "\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"" + service + "\",\"Tags\":[\"t\"]}}").statusCode());
    }

    private void deregister(String id) {
        assertEquals(200, one.send("PUT", "/v1/catalog/deregister", "{\"Node\":\"n-" + id + "\",\"ServiceID\":\"" + id + "\"}")
                .statusCode());
    }

    /** Starts a blocking query with the index; checks it is still waiting a moment later. */
    private static CompletableFuture<HttpResponse<String>> blockOn(ConsulHttp cluster, String path, long index)
            throws InterruptedException {
        String separator = path.contains("?") ? "&" : "?";
        CompletableFuture<HttpResponse<String>> blocked = CompletableFuture.supplyAsync(() ->
                cluster.get(path + separator + "index=" + index + "&wait=20s"));
        Thread.sleep(400);
        assertFalse(blocked.isDone(), "a blocking query on " + path + " waits while nothing changes");
        return blocked;
    }

    @Test
    void aServiceReadsIndexNeverGoesBackwardsAcrossRegistrationsAndDeregistrations() {
        String service = "web-" + UUID.randomUUID().toString().substring(0, 6);
        long previous = index(one.get("/v1/health/service/" + service));
        String[] steps = {"+a", "+b", "-a", "+c", "-b", "-c"};
        for (String step : steps) {
            if (step.startsWith("+")) {
                register(service, service + step.substring(1));
            } else {
                deregister(service + step.substring(1));
            }
            long health = index(one.get("/v1/health/service/" + service));
            long catalog = index(one.get("/v1/catalog/service/" + service));
            assertTrue(health > previous, step + ": " + health + " after " + previous);
            assertEquals(health, catalog, "health and catalog reads of one service answer its one counter");
            previous = health;
        }
        assertEquals("[]", one.get("/v1/health/service/" + service).body());
    }

    @Test
    void aBlockingServiceQueryWaitsForItsOwnServiceAndWakesWhenItChanges() throws Exception {
        String service = "api-" + UUID.randomUUID().toString().substring(0, 6);
        register(service, service + "-1");
        long index = index(one.get("/v1/health/service/" + service));
        HttpResponse<String> timedOut = one.get("/v1/health/service/" + service + "?index=" + index + "&wait=300ms");
        assertEquals(index, index(timedOut), "a wait that ends with no change answers the same index");

        CompletableFuture<HttpResponse<String>> blocked = blockOn(one, "/v1/health/service/" + service, index);
        register("other-" + service, "other-" + service + "-1");
        Thread.sleep(400);
        assertFalse(blocked.isDone(), "a change to another service does not wake it");
        register(service, service + "-2");

        HttpResponse<String> woken = blocked.get();
        assertTrue(index(woken) > index);
        assertEquals(2, json(woken.body()).size(), "it answers the change");
    }

    @Test
    void aBlockingServiceListQueryWakesWhenAServiceAppearsAndItsIndexNeverGoesBackwards() throws Exception {
        long index = index(one.get("/v1/catalog/services"));
        String service = "list-" + UUID.randomUUID().toString().substring(0, 6);
        CompletableFuture<HttpResponse<String>> blocked = blockOn(one, "/v1/catalog/services", index);

        register(service, service + "-1");

        HttpResponse<String> woken = blocked.get();
        long afterRegistration = index(woken);
        assertTrue(afterRegistration > index);
        assertTrue(json(woken.body()).has(service));
        deregister(service + "-1");
        long afterDeregistration = index(one.get("/v1/catalog/services"));
        assertTrue(afterDeregistration > afterRegistration, "the service going away moves the index forwards");
        assertFalse(json(one.get("/v1/catalog/services").body()).has(service));
    }

    @Test
    void aPeeringListAnswersThePartitionsCounterAndWakesOnAnyPeeringOfIt() throws Exception {
        String partition = "p" + UUID.randomUUID().toString().substring(0, 6);
        long listed = index(one.get("/v1/peerings?partition=" + partition));
        CompletableFuture<HttpResponse<String>> list = blockOn(one, "/v1/peerings?partition=" + partition, listed);

        assertEquals(200, one.post("/v1/peering/token?partition=" + partition, "{\"PeerName\":\"a\"}").statusCode());

        long afterCreate = index(list.get());
        assertTrue(afterCreate > listed);
        assertEquals(200, one.delete("/v1/peering/a?partition=" + partition).statusCode());
        Eventually.within(LIMIT, "the peering is removed", () ->
                one.get("/v1/peering/a?partition=" + partition).statusCode() == 404);
        assertTrue(index(one.get("/v1/peerings?partition=" + partition)) > afterCreate,
                "after the row is gone the list's index is still ahead");
    }

    /**
     * Consul's {@code PeeringRead}: a found peering answers its own ModifyIndex and a blocking read waits on that
     * row alone; a missing one answers the partition's index, at once when that is past the client's index, else
     * once the row appears.
     */
    @Test
    void aPeeringReadAnswersItsModifyIndexAndWakesOnlyWhenItChanges() throws Exception {
        String partition = "p" + UUID.randomUUID().toString().substring(0, 6);
        String a = "/v1/peering/a?partition=" + partition;
        assertEquals(200, one.post("/v1/peering/token?partition=" + partition, "{\"PeerName\":\"a\"}").statusCode());
        HttpResponse<String> first = one.get(a);
        long read = index(first);
        assertEquals(json(first.body()).get("ModifyIndex").asLong(), read, "the index is the row's ModifyIndex");

        CompletableFuture<HttpResponse<String>> single = blockOn(one, a, read);
        assertEquals(200, one.post("/v1/peering/token?partition=" + partition, "{\"PeerName\":\"b\"}").statusCode());
        long listed = index(one.get("/v1/peerings?partition=" + partition));
        assertTrue(listed > read, "another peering moved the partition's counter");
        sleepQuietly(600);
        assertFalse(single.isDone(), "a read of one peering sleeps through another peering's change");

        assertEquals(200, one.delete(a).statusCode());
        HttpResponse<String> woken = single.get();
        if (woken.statusCode() == 200) {
            assertTrue(index(woken) > listed, "the deletion wakes the read, above the other peering's change");
            assertEquals(json(woken.body()).get("ModifyIndex").asLong(), index(woken));
            assertTrue(json(woken.body()).has("DeletedAt"), woken.body());
        } else {
            assertEquals(404, woken.statusCode(), "woken by the deletion after the row was already removed");
        }
        Eventually.within(LIMIT, "the peering is removed", () -> one.get(a).statusCode() == 404);

        long partitionIndex = index(one.get("/v1/peerings?partition=" + partition));
        HttpResponse<String> gone = one.get(a + "&index=" + read + "&wait=20s");
        assertEquals(404, gone.statusCode(), "a row gone after the client's index answers 404 at once");

        String c = "/v1/peering/c?partition=" + partition;
        CompletableFuture<HttpResponse<String>> appears = blockOn(one, c, partitionIndex);
        assertEquals(200, one.post("/v1/peering/token?partition=" + partition, "{\"PeerName\":\"c\"}").statusCode());
        HttpResponse<String> created = appears.get();
        assertTrue(index(created) > partitionIndex, "a read waiting on a missing name wakes when the row appears");
        assertEquals("c", json(created.body()).get("Name").asText());
    }

    @Test
    void aBlockingPeerQueryWakesWhenTheImportChanges() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        String service = "imp-" + suffix;
        establishPair(suffix);
        register(service, service + "-1");
        assertEquals("true", one.send("PUT", "/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[{\"Name\":\"" + service + "\",\"Consumers\":[{\"Peer\":\"to-" + suffix + "\"}]}]}").body());
        String path = "/v1/health/service/" + service + "?peer=from-" + suffix;
        // A ?peer= read's index covers the imported service's head and the partition's peerings (the row holds the
        // import's bookkeeping, recorded just after the instance lands and advancing that index). So the test blocks
        // only once the import is settled, two reads answering the same index: an index read between those writes
        // would wake the query at the bookkeeping write, not at the change below.
        long[] settled = new long[1];
        Eventually.within(LIMIT, "imported and settled", () -> {
            HttpResponse<String> first = two.get(path);
            if (json(first.body()).size() != 1) {
                return false;
            }
            sleepQuietly(300);
            settled[0] = index(two.get(path));
            return settled[0] == index(first);
        });
        long index = settled[0];

        CompletableFuture<HttpResponse<String>> blocked = blockOn(two, path, index);
        register(service, service + "-2");

        HttpResponse<String> woken = blocked.get();
        assertTrue(index(woken) > index);
        Eventually.within(LIMIT, "both imported", () -> json(two.get(path).body()).size() == 2);
        assertTrue(index(two.get(path)) > index);
    }

    private void establishPair(String suffix) {
        HttpResponse<String> established = establish(two, "from-" + suffix, generate(one, "to-" + suffix));
        assertEquals(200, established.statusCode(), established.body());
    }
}
