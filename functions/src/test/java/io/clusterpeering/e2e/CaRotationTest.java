package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.PeeringFlow;
import io.clusterpeering.support.Race;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Rotating a cluster's CA and signing key without re-peering ({@code POST /v1/connect/ca/rotate}), on two local
 * clusters through HTTP, while services replicate and heartbeats run every second: the peering stays ACTIVE on
 * both sides at every look, nothing registered during the rotation is lost on the peer, the peer ends up trusting
 * only the new root, and a second rotation racing the first loses with a 409. Steps wait
 * {@code peering.identity-refresh}, 1 s here (60 s by default).
 */
class CaRotationTest {
    private static final Duration LIMIT = Duration.ofSeconds(40);
    private static LocalCluster dc1;
    private static LocalCluster dc2;
    private static ConsulHttp acceptor;
    private static ConsulHttp dialer;

    @BeforeAll
    static void startClusters() {
        Map<String, Object> fast = Map.of("peering.identity-refresh", "1s");
        dc1 = startCluster("dc1", fast);
        dc2 = startCluster("dc2", fast);
        acceptor = client(dc1);
        dialer = client(dc2);
        HttpResponse<String> established = PeeringFlow.establish(dialer, "cluster-01",
                PeeringFlow.generate(acceptor, "cluster-02"));
        assertEquals(200, established.statusCode(), established.body());
        HttpResponse<String> entry = acceptor.send("PUT", "/v1/config", "{\"Kind\":\"exported-services\","
                + "\"Name\":\"default\",\"Services\":[{\"Name\":\"api\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}");
        assertEquals(200, entry.statusCode(), entry.body());
    }

    @AfterAll
    static void stopClusters() {
        dc1.close();
        dc2.close();
    }

    private static void register(int n) {
        HttpResponse<String> response = acceptor.send("PUT", "/v1/catalog/register",
                "{\"Node\":\"node-" + (n % 5) + "\",\"Address\":\"10.0.0." + (n % 5) + "\",\"Service\":{\"ID\":\"api-" + n
                        + "\",\"Service\":\"api\",\"Port\":" + (8000 + n) + "}}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private static int importedApi() {
        HttpResponse<String> response = dialer.get("/v1/health/service/api?peer=cluster-01");
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body()).size();
    }

    private static JsonNode rotation(ConsulHttp cluster) {
        HttpResponse<String> response = cluster.get("/v1/connect/ca/rotation");
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    private static String state(ConsulHttp cluster, String name) {
        return PeeringFlow.read(cluster, name).get("State").asText();
    }

    @Test
    void rotatingBothClustersDuringReplicationKeepsThePeeringActiveAndLosesNothing() throws Exception {
        register(0);
        Eventually.within(LIMIT, "api imported", () -> importedApi() == 1);
        Eventually.within(LIMIT, "no rotation under way, one root trusted", () ->
                rotation(acceptor).get("Phase").asText().equals("none")
                        && PeeringFlow.read(dialer, "cluster-01").get("PeerCAPems").size() == 1);
        JsonNode before = PeeringFlow.read(dialer, "cluster-01").get("PeerCAPems");
        assertEquals(1, before.size());

        AtomicBoolean registering = new AtomicBoolean(true);
        AtomicInteger registered = new AtomicInteger(1);
        List<String> states = new CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (registering.get()) {
                register(registered.getAndIncrement());
                states.add(state(acceptor, "cluster-02") + "/" + state(dialer, "cluster-01"));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "registrations");
        load.start();
        try {
            for (ConsulHttp cluster : List.of(acceptor, dialer)) {
                HttpResponse<String> started = cluster.post("/v1/connect/ca/rotate", "");
                assertEquals(200, started.statusCode(), started.body());
                JsonNode status = json(started.body());
                assertEquals("introducing", status.get("Phase").asText(), started.body());
                assertEquals(2, status.get("Roots").size(), "both roots are presented");
                JsonNode roots = json(cluster.get("/v1/connect/ca/roots").body()).get("Roots");
                assertEquals(2, roots.size(), "the Connect roots list both, as Consul during a rotation");
                assertTrue(roots.get(0).get("Active").asBoolean());
                assertTrue(!roots.get(1).get("Active").asBoolean(), "the new root does not sign leaves yet");
                long revision = status.get("Revision").asLong();
                Eventually.within(LIMIT, "the rotation finishes on its own", () -> {
                    JsonNode now = rotation(cluster);
                    return now.get("Phase").asText().equals("none") && now.get("Revision").asLong() == revision + 2;
                });
                assertEquals(1, rotation(cluster).get("Roots").size(), "only the new root is presented");
            }
        } finally {
            registering.set(false);
            load.join();
        }
        assertTrue(states.size() > 10, "registrations ran during the rotations: " + states.size());
        assertTrue(states.stream().allMatch("ACTIVE/ACTIVE"::equals), "ACTIVE throughout: " + states);

        int total = registered.get();
        Eventually.within(LIMIT, "every instance registered during the rotations is imported",
                () -> importedApi() == total);
        Eventually.within(LIMIT, "the dialer trusts only cluster-01's new root", () -> {
            JsonNode pems = PeeringFlow.read(dialer, "cluster-01").get("PeerCAPems");
            return pems.size() == 1 && !pems.equals(before);
        });
        Eventually.within(LIMIT, "the acceptor trusts only cluster-02's new root",
                () -> PeeringFlow.read(acceptor, "cluster-02").get("PeerCAPems").size() == 1);
        String newRoot = json(acceptor.get("/v1/connect/ca/roots").body()).get("Roots").get(0).get("RootCert").asText();
        assertEquals(newRoot.strip(), PeeringFlow.read(dialer, "cluster-01").get("PeerCAPems").get(0).asText().strip());
        assertNotEquals(before.get(0).asText().strip(), newRoot.strip());

        // A token generated after the rotation carries and is signed under the new CA: a new peer establishes.
        HttpResponse<String> another = PeeringFlow.establish(dialer, "cluster-01-again",
                PeeringFlow.generate(acceptor, "cluster-02-again"));
        assertEquals(200, another.statusCode(), another.body());
        Eventually.within(LIMIT, "the new peering becomes ACTIVE",
                () -> state(dialer, "cluster-01-again").equals("ACTIVE"));
    }

    @Test
    void twoRotationsRacingHaveOneWinnerAndTheOther409() throws Exception {
        Eventually.within(LIMIT, "no rotation under way", () -> rotation(acceptor).get("Phase").asText().equals("none"));
        List<Callable<Integer>> racers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            racers.add(() -> acceptor.post("/v1/connect/ca/rotate", "").statusCode());
        }
        List<Object> outcomes = Race.run(racers);
        assertEquals(1, outcomes.stream().filter(o -> Integer.valueOf(200).equals(o)).count(), outcomes.toString());
        assertEquals(3, outcomes.stream().filter(o -> Integer.valueOf(409).equals(o)).count(), outcomes.toString());
        Eventually.within(LIMIT, "the winner finishes", () -> rotation(acceptor).get("Phase").asText().equals("none"));
        assertEquals("ACTIVE", state(dialer, "cluster-01"));
        assertEquals("ACTIVE", state(acceptor, "cluster-02"));
    }
}
