package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.Race;
import io.clusterpeering.support.TcpForwarder;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.read;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two clusters on this machine, each its own local runtime (HTTP server, table, stream poller, heartbeat
 * schedule), peered through their public HTTP API exactly as the README walkthrough does with curl. Every
 * response is checked against the OpenAPI document.
 */
@TwoClusters
class TwoClusterPeeringTest {
    private static final Duration ASYNC_LIMIT = Duration.ofSeconds(20);
    private final LocalCluster dc1;
    private final LocalCluster dc2;
    private final ConsulHttp acceptor;
    private final ConsulHttp dialer;

    TwoClusterPeeringTest(Clusters clusters) {
        dc1 = clusters.dc1();
        dc2 = clusters.dc2();
        acceptor = clusters.client1();
        dialer = clusters.client2();
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 6);
    }




    static int readStatus(ConsulHttp cluster, String name) {
        return cluster.get("/v1/peering/" + name).statusCode();
    }

    static String state(ConsulHttp cluster, String name) {
        HttpResponse<String> response = cluster.get("/v1/peering/" + name);
        return response.statusCode() == 404 ? "GONE" : json(response.body()).get("State").asText();
    }


    @Test
    void generateEstablishAndBothSidesReadActive() {
        String token = generate(acceptor, "cluster-02");

        HttpResponse<String> established = establish(dialer, "cluster-01", token);
        assertEquals(200, established.statusCode(), established.body());
        assertEquals("{}", established.body());

        JsonNode onDialer = read(dialer, "cluster-01");
        JsonNode onAcceptor = read(acceptor, "cluster-02");
        assertEquals("ACTIVE", onDialer.get("State").asText(), onDialer.toString());
        assertEquals("ACTIVE", onAcceptor.get("State").asText(), onAcceptor.toString());
        assertEquals(onAcceptor.get("ID").asText(), onDialer.get("PeerID").asText());
        assertEquals(List.of(acceptor.baseUrl().substring("http://".length())),
                List.of(onDialer.get("PeerServerAddresses").get(0).asText()));
        assertTrue(onDialer.get("PeerServerName").asText().startsWith("server.dc1.peering."));
        assertEquals("dc1", onDialer.get("Remote").get("Datacenter").asText());
        assertEquals("default", onDialer.get("Remote").get("Partition").asText());
        assertEquals("dc2", onAcceptor.get("Remote").get("Datacenter").asText());
        assertEquals(1, onDialer.get("PeerCAPems").size());
        assertEquals(1, onAcceptor.get("PeerCAPems").size(), "the acceptor learned the dialer's CA");
        assertTrue(onAcceptor.get("PeerID") == null, "Consul shows PeerID on dialer rows only");

        // The first heartbeat went both ways during establish: both sides read all three times at once.
        for (JsonNode side : List.of(onDialer, onAcceptor)) {
            for (String field : List.of("LastHeartbeat", "LastReceive", "LastSend")) {
                assertTrue(side.get("StreamStatus").get(field).isTextual(), field + " is set at once: " + side);
            }
        }

        HttpResponse<String> list = dialer.get("/v1/peerings");
        assertTrue(list.body().contains("\"Name\":\"cluster-01\""));
        assertTrue(Long.parseLong(list.headers().firstValue("X-Consul-Index").orElseThrow()) >= 1);
    }

    @Test
    void aUsedTokenIsRefusedWith403() {
        String peer = unique("reuse");
        String token = generate(acceptor, peer);
        assertEquals(200, establish(dialer, unique("first"), token).statusCode());

        HttpResponse<String> reuse = establish(dialer, unique("second"), token);
        assertEquals(403, reuse.statusCode());
        assertTrue(reuse.body().contains("a new peering token must be generated"), reuse.body());
        assertEquals(404, readStatus(dialer, "second"), "the refused name has no row");
    }

    @Test
    void aUsedTokenIsRefusedAlsoUnderTheSameName() {
        String name = unique("same");
        String token = generate(acceptor, unique("same-a"));
        assertEquals(200, establish(dialer, name, token).statusCode());

        HttpResponse<String> again = establish(dialer, name, token);
        assertEquals(403, again.statusCode(), again.body());
        assertTrue(again.body().contains("a new peering token must be generated"), again.body());
    }

    @Test
    void generatingAgainInvalidatesTheOlderTokenAndATamperedTokenLeavesTheRealOneWorking() {
        String peer = unique("regen");
        String older = generate(acceptor, peer);
        String newer = generate(acceptor, peer);
        String dialerName = unique("regen-dialer");

        HttpResponse<String> withOlder = establish(dialer, dialerName, older);
        assertEquals(403, withOlder.statusCode(), withOlder.body());
        assertTrue(withOlder.body().contains("a new peering token must be generated"));
        assertEquals(404, readStatus(dialer, dialerName), "a refused establish leaves no row");

        String[] parts = newer.split("\\.");
        char flipped = parts[1].charAt(10) == 'A' ? 'B' : 'A';
        String tampered = parts[0] + "." + parts[1].substring(0, 10) + flipped + parts[1].substring(11) + "." + parts[2];
        HttpResponse<String> withTampered = establish(dialer, dialerName, tampered);
        assertEquals(400, withTampered.statusCode(), withTampered.body());
        assertTrue(withTampered.body().startsWith("PeeringToken is invalid"), withTampered.body());

        HttpResponse<String> withNewer = establish(dialer, dialerName, newer);
        assertEquals(200, withNewer.statusCode(), withNewer.body());
        assertEquals("ACTIVE", state(dialer, dialerName));
    }

    @Test
    void concurrentEstablishesWithOneTokenHaveExactlyOneWinner() throws Exception {
        String peer = unique("race");
        String token = generate(acceptor, peer);
        int racers = 8;
        List<String> names = new ArrayList<>();
        List<Callable<Integer>> calls = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            String name = unique("racer" + i);
            names.add(name);
            calls.add(() -> establish(dialer, name, token).statusCode());
        }

        List<Object> outcomes = Race.run(calls);

        assertEquals(1, outcomes.stream().filter(o -> Integer.valueOf(200).equals(o)).count(), "one winner: " + outcomes);
        assertEquals(racers - 1, outcomes.stream().filter(o -> Integer.valueOf(403).equals(o)).count(),
                "every loser gets 403: " + outcomes);
        String winner = names.get(outcomes.indexOf(200));
        for (String name : names) {
            assertEquals(name.equals(winner) ? 200 : 404, readStatus(dialer, name), "only the winner has a row: " + name);
        }
        assertEquals(read(dialer, winner).get("ID").asText(), read(acceptor, peer).get("PeerID") == null
                ? peerIdOnAcceptor(peer) : read(acceptor, peer).get("PeerID").asText());
    }

    /** The acceptor hides PeerID, as Consul; its peer's ID is the dialer row's ID, checked through the store. */
    private String peerIdOnAcceptor(String peer) {
        return dc1.context().getBean(io.clusterpeering.store.PeeringStore.class)
                .find(new io.clusterpeering.domain.PeeringKey(null, peer)).orElseThrow().peerId();
    }

    @Test
    void deletingOnTheDialerRemovesItAndTerminatesTheAcceptor() {
        String onAcceptor = unique("del-a");
        String onDialer = unique("del-d");
        assertEquals(200, establish(dialer, onDialer, generate(acceptor, onAcceptor)).statusCode());

        HttpResponse<String> deleted = dialer.delete("/v1/peering/" + onDialer);
        assertEquals(200, deleted.statusCode());
        assertEquals("", deleted.body());
        String right = state(dialer, onDialer);
        assertTrue(right.equals("DELETING") || right.equals("GONE"),
                "right after DELETE the row reads DELETING, unless the stream handler already removed it: " + right);

        Eventually.within(ASYNC_LIMIT, "the dialer's row is removed", () -> readStatus(dialer, onDialer) == 404);
        Eventually.within(ASYNC_LIMIT, "the acceptor's row turns TERMINATED", () -> state(acceptor, onAcceptor).equals("TERMINATED"));
        assertEquals(200, dialer.delete("/v1/peering/" + onDialer).statusCode(), "deleting again is a no-op");

        assertEquals(200, acceptor.delete("/v1/peering/" + onAcceptor).statusCode());
        Eventually.within(ASYNC_LIMIT, "deleting a TERMINATED row removes it", () -> readStatus(acceptor, onAcceptor) == 404);
    }

    @Test
    void aDialerTerminatedByTheAcceptorReEstablishesWithAFreshTokenWithoutDeleting() {
        String onAcceptor = unique("term-a");
        String onDialer = unique("term-d");
        assertEquals(200, establish(dialer, onDialer, generate(acceptor, onAcceptor)).statusCode());
        String dialerId = read(dialer, onDialer).get("ID").asText();

        assertEquals(200, acceptor.delete("/v1/peering/" + onAcceptor).statusCode());
        Eventually.within(ASYNC_LIMIT, "the dialer's row turns TERMINATED", () -> state(dialer, onDialer).equals("TERMINATED"));
        Eventually.within(ASYNC_LIMIT, "the acceptor's row is removed", () -> readStatus(acceptor, onAcceptor) == 404);
        Eventually.within(ASYNC_LIMIT, "what the dialer imported from the peer is purged", () ->
                dc2.context().getBean(io.clusterpeering.store.ImportPurgeStore.class)
                        .count(new io.clusterpeering.domain.PeeringKey(null, onDialer)) == 0);

        HttpResponse<String> again = establish(dialer, onDialer, generate(acceptor, onAcceptor));
        assertEquals(200, again.statusCode(), again.body());
        JsonNode reEstablished = read(dialer, onDialer);
        assertEquals("ACTIVE", reEstablished.get("State").asText());
        assertEquals(dialerId, reEstablished.get("ID").asText(), "the dialer row keeps its ID");
        assertEquals("ACTIVE", state(acceptor, onAcceptor));
    }

    @Test
    void anUnreachableAcceptorIsNamedAndLeavesNoRowSoTheSameTokenWorksLater() throws Exception {
        int laterPort = EmbeddedDynamoDb.freePort();
        String onAcceptor = unique("late-a");
        String onDialer = unique("late-d");
        HttpResponse<String> generated = acceptor.post("/v1/peering/token", "{\"PeerName\":\"" + onAcceptor
                + "\",\"ServerExternalAddresses\":[\"127.0.0.1:" + laterPort + "\"]}");
        String token = json(generated.body()).get("PeeringToken").asText();

        HttpResponse<String> unreachable = establish(dialer, onDialer, token);
        assertEquals(502, unreachable.statusCode(), unreachable.body());
        assertTrue(unreachable.body().contains("\"127.0.0.1:" + laterPort + "\""), unreachable.body());
        assertEquals(404, readStatus(dialer, onDialer), "no row is left behind");

        int acceptorPort = io.clusterpeering.support.PeeringFlow.port(dc1);
        try (TcpForwarder ignored = TcpForwarder.start(laterPort, acceptorPort)) {
            HttpResponse<String> retried = establish(dialer, onDialer, token);
            assertEquals(200, retried.statusCode(), retried.body());
        }
        assertEquals("ACTIVE", state(acceptor, onAcceptor));
    }

    @Test
    void aPeeringWhosePeerStopsAnsweringReadsFailingAndSaysWhy() {
        LocalCluster dc3 = startCluster("dc3");
        String onAcceptor = unique("fail-a");
        try {
            assertEquals(200, establish(client(dc3), unique("fail-d"), generate(acceptor, onAcceptor)).statusCode());
            assertEquals("ACTIVE", state(acceptor, onAcceptor));
        } finally {
            dc3.close();
        }

        dc1.context().getBean(HeartbeatService.class).sendHeartbeats();

        JsonNode failing = read(acceptor, onAcceptor);
        assertEquals("FAILING", failing.get("State").asText(), failing.toString());
        String why = failing.get("StreamStatus").get("LastError").asText();
        assertTrue(why.contains("send heartbeat through address \"127.0.0.1:"), why);
    }

    @Test
    void consulsGenericAnswersForUnknownPathsAndWrongMethods() {
        HttpResponse<String> wrongMethod = acceptor.sendUnchecked("PUT", "/v1/peering/x", "{}");
        assertEquals(405, wrongMethod.statusCode());
        assertEquals("OPTIONS,GET,DELETE", wrongMethod.headers().firstValue("Allow").orElseThrow());
        assertEquals("method PUT not allowed", wrongMethod.body());
        HttpResponse<String> unknown = acceptor.sendUnchecked("GET", "/v1/nothing-here", null);
        assertEquals(404, unknown.statusCode());
        assertEquals("Invalid URL path: not a recognized HTTP API endpoint", unknown.body());
        HttpResponse<String> self = acceptor.get("/v1/agent/self");
        assertEquals("dc1", json(self.body()).get("Config").get("Datacenter").asText());
        assertNotEquals("", self.body());
    }
}
