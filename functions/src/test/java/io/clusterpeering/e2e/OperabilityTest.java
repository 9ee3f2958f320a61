package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TcpForwarder;
import io.clusterpeering.support.TwoClusters;
import io.clusterpeering.token.PeeringToken;
import io.clusterpeering.token.PeeringTokenCodec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.StreamSupport;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.establish;
import static io.clusterpeering.support.PeeringFlow.generate;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.read;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operability beyond Consul, through the HTTP API of real local clusters: the audit trail of a whole lifecycle,
 * FAILING and recovery recorded once each, the metrics in Consul's JSON and in Prometheus text with their values,
 * the link latency per peer, and the pre-flight check (a good token, a stopped acceptor, a tampered, an expired
 * token and a wrong address), which never consumes the token.
 */
// Peer calls may take long on a loaded machine: a 5 s timeout keeps the setup from failing on load alone.
@TwoClusters(settings = "peering.peer-call-timeout=5s")
class OperabilityTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    /** A peering established before the tests, ops-02 on dc1 and ops-01 on dc2, dc1 exporting ops-svc to it. */
    private static String opsToken;
    private final LocalCluster dc1;
    private final ConsulHttp acceptor;
    private final ConsulHttp dialer;

    OperabilityTest(Clusters clusters) {
        dc1 = clusters.dc1();
        acceptor = clusters.client1();
        dialer = clusters.client2();
    }

    @BeforeAll
    static void peerAndExport(Clusters clusters) {
        ConsulHttp acceptor = clusters.client1();
        ConsulHttp dialer = clusters.client2();
        opsToken = generate(acceptor, "ops-02");
        assertEquals(200, establish(dialer, "ops-01", opsToken).statusCode());
        acceptor.put("/v1/catalog/register", "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"ops-svc-1\",\"Service\":\"ops-svc\",\"Port\":8080}}");
        exportTo(acceptor, Map.of("ops-svc", "ops-02"));
        Eventually.within(LIMIT, "ops-svc is imported by dc2", () ->
                json(dialer.get("/v1/health/service/ops-svc?peer=ops-01").body()).size() == 1);
    }

    private static void exportTo(ConsulHttp acceptor, Map<String, String> serviceToPeer) {
        StringBuilder services = new StringBuilder();
        serviceToPeer.forEach((service, peer) -> services.append(services.length() == 0 ? "" : ",")
                .append("{\"Name\":\"").append(service).append("\",\"Consumers\":[{\"Peer\":\"").append(peer).append("\"}]}"));
        HttpResponse<String> put = acceptor.put("/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[" + services + "]}");
        assertEquals("true", put.body());
    }

    /** All events of a peering, oldest first, read two at a time through the cursor. */
    private static List<JsonNode> events(ConsulHttp cluster, String name) {
        List<JsonNode> newestFirst = new ArrayList<>();
        String cursor = null;
        do {
            HttpResponse<String> page = cluster.get("/v1/peering/" + name + "/events?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = json(page.body());
            body.get("Events").forEach(newestFirst::add);
            assertTrue(body.get("Events").size() <= 2);
            cursor = body.get("NextCursor").isNull() ? null : body.get("NextCursor").asText();
        } while (cursor != null);
        List<JsonNode> oldestFirst = new ArrayList<>(newestFirst);
        java.util.Collections.reverse(oldestFirst);
        return oldestFirst;
    }

    /** The events recorded after the first {@code count} of an oldest-first trail. */
    private static List<JsonNode> since(List<JsonNode> oldestFirst, int count) {
        return oldestFirst.subList(count, oldestFirst.size());
    }

    /** Whether the trail's latest FAILING or recovered transition is a FAILING one (an episode not yet recovered). */
    private static boolean episodeOpen(List<JsonNode> oldestFirst) {
        List<String> transitions = kinds(oldestFirst).stream()
                .filter(k -> k.equals("state-failing") || k.equals("state-recovered")).toList();
        return !transitions.isEmpty() && transitions.get(transitions.size() - 1).equals("state-failing");
    }

    /**
     * The dialer's trail with its ACTIVE transition before the establishment's success. Establish waits for the
     * first heartbeat's answer, which makes the dialer ACTIVE first; on a loaded machine that heartbeat can time out,
     * and the acceptor's heartbeat makes it ACTIVE a moment after establish answered: both orders are right.
     */
    private static List<JsonNode> activeBeforeSucceeded(List<JsonNode> trail) {
        List<JsonNode> ordered = new java.util.ArrayList<>(trail);
        List<String> kinds = kinds(ordered);
        int succeeded = kinds.indexOf("establish-succeeded");
        if (succeeded >= 0 && succeeded + 1 < kinds.size() && kinds.get(succeeded + 1).equals("state-active")) {
            java.util.Collections.swap(ordered, succeeded, succeeded + 1);
        }
        return ordered;
    }

    private static List<String> kinds(List<JsonNode> events) {
        return events.stream().map(e -> e.get("Event").asText()).toList();
    }

    private static String state(ConsulHttp cluster, String name) {
        HttpResponse<String> response = cluster.get("/v1/peering/" + name);
        return response.statusCode() == 404 ? "GONE" : json(response.body()).get("State").asText();
    }

    @Test
    void theEventListOfAFullLifecycleHasEachEventOnceInOrderWithItsFieldsAndNoSecret() {
        String token = generate(acceptor, "life-02");
        assertEquals(200, establish(dialer, "life-01", token).statusCode());
        Eventually.within(LIMIT, "both sides ACTIVE", () -> state(acceptor, "life-02").equals("ACTIVE")
                && state(dialer, "life-01").equals("ACTIVE"));
        String acceptorId = read(acceptor, "life-02").get("ID").asText();
        String dialerId = read(dialer, "life-01").get("ID").asText();
        acceptor.put("/v1/catalog/register", "{\"Node\":\"node-2\",\"Address\":\"10.0.0.2\","
                + "\"Service\":{\"ID\":\"life-svc-1\",\"Service\":\"life-svc\",\"Port\":8080}}");
        exportTo(acceptor, Map.of("ops-svc", "ops-02", "life-svc", "life-02"));
        Eventually.within(LIMIT, "life-svc is imported", () ->
                json(dialer.get("/v1/health/service/life-svc?peer=life-01").body()).size() == 1);

        assertEquals(200, dialer.delete("/v1/peering/life-01").statusCode());
        Eventually.within(LIMIT, "the dialer's row is removed and the acceptor's TERMINATED",
                () -> state(dialer, "life-01").equals("GONE") && state(acceptor, "life-02").equals("TERMINATED"));
        Eventually.within(LIMIT, "both purges are recorded", () ->
                kinds(events(dialer, "life-01")).contains("purge-finished")
                        && kinds(events(acceptor, "life-02")).contains("purge-finished"));

        List<JsonNode> dialerTrail = events(dialer, "life-01");
        List<JsonNode> onDialer = activeBeforeSucceeded(dialerTrail);
        assertEquals(List.of("establish-attempted", "state-active", "establish-succeeded", "delete-requested",
                "purge-finished"), kinds(onDialer), onDialer.toString());
        assertEquals(List.of("attempted", "success", "success", "success", "success"),
                onDialer.stream().map(e -> e.get("Outcome").asText()).toList());
        assertEquals(List.of("anonymous", "peer", "anonymous", "anonymous", "system"),
                onDialer.stream().map(e -> e.get("Actor").asText()).toList());
        assertEquals(List.of("", dialerId, dialerId, dialerId, dialerId),
                onDialer.stream().map(e -> e.get("PeeringID").asText()).toList());
        assertTrue(onDialer.get(2).get("Detail").asText().contains(acceptorId), onDialer.get(2).toString());
        assertTrue(onDialer.get(4).get("Detail").asText().endsWith("; the peering was removed"));
        assertTrue(onDialer.get(4).get("Count").asLong() >= 2, "the imported instance and the trust bundle at least");

        List<JsonNode> onAcceptor = events(acceptor, "life-02");
        assertEquals(List.of("token-generated", "state-active", "config-entry-written", "state-terminated",
                "purge-finished"), kinds(onAcceptor), onAcceptor.toString());
        assertEquals(List.of("anonymous", "peer", "anonymous", "peer", "system"),
                onAcceptor.stream().map(e -> e.get("Actor").asText()).toList());
        assertTrue(onAcceptor.get(1).get("Detail").asText().contains(dialerId));
        assertEquals("exported-services/default written (it names this peer)", onAcceptor.get(2).get("Detail").asText());
        assertTrue(onAcceptor.get(4).get("Detail").asText().endsWith("the TERMINATED peering stays until deleted here"));

        for (List<JsonNode> trail : List.of(dialerTrail, onAcceptor)) {
            Instant previous = Instant.EPOCH;
            for (JsonNode event : trail) {
                Instant time = Instant.parse(event.get("Time").asText());
                assertFalse(time.isBefore(previous), "oldest first: " + trail);
                previous = time;
                assertEquals("default", event.get("Partition").asText());
                assertEquals(trail == dialerTrail ? "life-01" : "life-02", event.get("Peering").asText());
            }
        }
        String secret = claims(token).get("EstablishmentSecret").asText();
        String secretHash = io.clusterpeering.token.EstablishmentSecrets.hash(secret);
        for (ConsulHttp cluster : List.of(dialer, acceptor)) {
            String all = cluster.get("/v1/peering/" + (cluster == dialer ? "life-01" : "life-02") + "/events").body();
            assertFalse(all.contains(secret) || all.contains(secretHash) || all.contains(token)
                    || all.contains(token.substring(token.lastIndexOf('.') + 1)), "no token, secret or hash in " + all);
        }
        assertEquals(404, dialer.get("/v1/peering/never-was/events").statusCode());
        assertEquals(400, dialer.get("/v1/peering/life-01/events?limit=0").statusCode());
    }

    @Test
    void failingAndRecoveryAreRecordedOnceEachOnBothSides() throws Exception {
        int port3 = EmbeddedDynamoDb.freePort();
        int front3 = EmbeddedDynamoDb.freePort();
        int port4 = EmbeddedDynamoDb.freePort();
        int front4 = EmbeddedDynamoDb.freePort();
        Map<String, Object> fast = Map.of("peering.heartbeat-interval", "300ms", "peering.heartbeat-timeout", "3s",
                "peering.peer-call-timeout", "2s");
        LocalCluster dc3 = startCluster("dc3", with(fast, port3, front3));
        LocalCluster dc4 = startCluster("dc4", with(fast, port4, front4));
        TcpForwarder link3 = TcpForwarder.start(front3, port3);
        TcpForwarder link4 = TcpForwarder.start(front4, port4);
        try {
            ConsulHttp a = client(dc3);
            ConsulHttp d = client(dc4);
            assertEquals(200, establish(d, "flap-03", generate(a, "flap-04")).statusCode());
            // Healthy on both sides with no episode left open: a loaded machine may have shown a short silence
            // while the peering came up; that episode must be closed before the one under test begins.
            Eventually.within(LIMIT, "ACTIVE, no open failure episode", () ->
                    state(a, "flap-04").equals("ACTIVE") && state(d, "flap-03").equals("ACTIVE")
                            && !episodeOpen(events(a, "flap-04")) && !episodeOpen(events(d, "flap-03")));
            int beforeOnA = events(a, "flap-04").size();
            int beforeOnD = events(d, "flap-03").size();
            // A watcher of the peering (the Peers page) follows it with blocking reads of a 20 s wait: the episode
            // advances the index, so the watch ends showing FAILING long before a wait would run out.
            long watched = Long.parseLong(a.get("/v1/peering/flap-04").headers().firstValue("X-Consul-Index").orElseThrow());
            long watchStarted = System.nanoTime();
            java.util.concurrent.CompletableFuture<String> watch = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                long index = watched;
                while (true) {
                    HttpResponse<String> woken = a.get("/v1/peering/flap-04?index=" + index + "&wait=20s");
                    index = Long.parseLong(woken.headers().firstValue("X-Consul-Index").orElseThrow());
                    String shown = json(woken.body()).get("State").asText();
                    if (!shown.equals("ACTIVE") || System.nanoTime() - watchStarted > LIMIT.toNanos()) {
                        return shown;
                    }
                }
            });

            link3.close();
            link4.close();
            Eventually.within(LIMIT, "both sides record FAILING", () ->
                    kinds(since(events(a, "flap-04"), beforeOnA)).contains("state-failing")
                            && kinds(since(events(d, "flap-03"), beforeOnD)).contains("state-failing"));
            assertEquals("FAILING", state(a, "flap-04"));
            assertEquals("FAILING", watch.get());
            assertTrue(System.nanoTime() - watchStarted < Duration.ofSeconds(15).toNanos(),
                    "the watch was woken by the episode, not by its 20 s wait running out");
            assertEquals(0.0, gauge(a, "consul.peering.healthy", "flap-04").orElseThrow().get("Value").asDouble());
            Thread.sleep(1_000);

            link3 = TcpForwarder.start(front3, port3);
            link4 = TcpForwarder.start(front4, port4);
            Eventually.within(LIMIT, "both sides record the recovery", () ->
                    kinds(since(events(a, "flap-04"), beforeOnA)).contains("state-recovered")
                            && kinds(since(events(d, "flap-03"), beforeOnD)).contains("state-recovered"));
            Thread.sleep(1_000);

            for (ConsulHttp side : List.of(a, d)) {
                List<JsonNode> trail = since(events(side, side == a ? "flap-04" : "flap-03"), side == a ? beforeOnA : beforeOnD);
                List<String> transitions = kinds(trail).stream().filter(k -> k.startsWith("state-failing")
                        || k.startsWith("state-recovered")).toList();
                assertEquals(List.of("state-failing", "state-recovered"), transitions, trail.toString());
                JsonNode failing = trail.stream().filter(e -> e.get("Event").asText().equals("state-failing")).findFirst().orElseThrow();
                assertEquals("failure", failing.get("Outcome").asText());
                assertEquals("system", failing.get("Actor").asText());
                assertTrue(failing.get("Detail").asText().startsWith("the last message to the peer failed")
                        || failing.get("Detail").asText().startsWith("no heartbeat received"), failing.toString());
            }
            assertEquals("ACTIVE", state(a, "flap-04"));
            assertEquals(1.0, gauge(a, "consul.peering.healthy", "flap-04").orElseThrow().get("Value").asDouble());
        } finally {
            link3.close();
            link4.close();
            dc3.close();
            dc4.close();
        }
    }

    private static Map<String, Object> with(Map<String, Object> base, int port, int front) {
        Map<String, Object> all = new java.util.HashMap<>(base);
        all.put("micronaut.server.port", port);
        all.put("peering.advertise-url", "http://127.0.0.1:" + front);
        return all;
    }

    private static Optional<JsonNode> gauge(ConsulHttp cluster, String name, String peer) {
        JsonNode metrics = json(cluster.get("/v1/agent/metrics").body());
        return StreamSupport.stream(metrics.get("Gauges").spliterator(), false)
                .filter(g -> g.get("Name").asText().equals(name) && g.get("Labels").path("peer_name").asText().equals(peer))
                .findFirst();
    }

    private static Optional<JsonNode> summary(JsonNode metrics, String kind, String name, String labelName, String label) {
        return StreamSupport.stream(metrics.get(kind).spliterator(), false)
                .filter(s -> s.get("Name").asText().equals(name) && s.get("Labels").path(labelName).asText().equals(label))
                .findFirst();
    }

    @Test
    void metricsCarryTheirValuesInConsulsJsonAndInPrometheusText() throws Exception {
        HttpResponse<String> reused = establish(dialer, "ops-01", opsToken);
        assertEquals(403, reused.statusCode(), reused.body());
        Thread.sleep(3_500);

        String peeringId = read(acceptor, "ops-02").get("ID").asText();
        JsonNode healthy = gauge(acceptor, "consul.peering.healthy", "ops-02").orElseThrow();
        assertEquals(1.0, healthy.get("Value").asDouble());
        assertEquals(Map.of("peer_name", "ops-02", "peer_id", peeringId, "partition", "default"),
                Map.of("peer_name", healthy.get("Labels").get("peer_name").asText(),
                        "peer_id", healthy.get("Labels").get("peer_id").asText(),
                        "partition", healthy.get("Labels").get("partition").asText()));
        assertEquals(1.0, gauge(acceptor, "consul.peering.exported_services", "ops-02").orElseThrow().get("Value").asDouble());
        assertEquals(1.0, gauge(dialer, "consul.peering.imported_services", "ops-01").orElseThrow().get("Value").asDouble());
        assertEquals(0.0, gauge(dialer, "consul.peering.exported_services", "ops-01").orElseThrow().get("Value").asDouble());

        JsonNode metrics = json(dialer.get("/v1/agent/metrics").body());
        assertTrue(metrics.get("Timestamp").asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0000 UTC"));
        assertTrue(metrics.get("Points").isArray());
        JsonNode establishing = summary(metrics, "Samples", "cluster_peering.establish.duration_ms", "peer_name", "ops-01")
                .orElseThrow();
        assertEquals(1, establishing.get("Count").asInt());
        assertTrue(establishing.get("Max").asDouble() > 0 && establishing.get("Max").asDouble() < 20_000, establishing.toString());
        assertEquals(establishing.get("Max").asDouble(), establishing.get("Sum").asDouble());
        JsonNode rtt = summary(metrics, "Samples", "cluster_peering.heartbeat.rtt_ms", "peer_name", "ops-01").orElseThrow();
        assertTrue(rtt.get("Count").asInt() >= 3, rtt.toString());
        assertTrue(rtt.get("Min").asDouble() >= 0 && rtt.get("Max").asDouble() < 5_000, rtt.toString());
        JsonNode lag = summary(metrics, "Samples", "cluster_peering.replication.lag_ms", "peer_name", "ops-01").orElseThrow();
        assertTrue(lag.get("Count").asInt() >= 1 && lag.get("Min").asDouble() >= 0 && lag.get("Max").asDouble() < 10_000,
                lag.toString());
        JsonNode refused = summary(metrics, "Counters", "cluster_peering.establish.refused_tokens", "reason", "rejected")
                .orElseThrow();
        assertEquals(1, refused.get("Count").asInt());
        assertEquals(1.0, refused.get("Sum").asDouble());

        HttpResponse<String> prometheus = acceptor.get("/v1/agent/metrics?format=prometheus");
        assertTrue(prometheus.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; version=0.0.4"));
        assertTrue(prometheus.body().contains("# TYPE consul_peering_healthy gauge\n"), prometheus.body());
        assertTrue(prometheus.body().contains("consul_peering_healthy{partition=\"default\",peer_id=\"" + peeringId
                + "\",peer_name=\"ops-02\"} 1\n"), prometheus.body());
        assertTrue(prometheus.body().contains("consul_peering_exported_services{partition=\"default\",peer_id=\""
                + peeringId + "\",peer_name=\"ops-02\"} 1\n"), prometheus.body());
        String onDialer = dialer.get("/v1/agent/metrics?format=prometheus").body();
        assertTrue(onDialer.contains("# TYPE cluster_peering_establish_refused_tokens counter\n"
                + "cluster_peering_establish_refused_tokens{partition=\"default\",reason=\"rejected\"} 1\n"), onDialer);
        assertTrue(onDialer.contains("# TYPE cluster_peering_establish_duration_ms summary\n"), onDialer);
        assertTrue(onDialer.contains("cluster_peering_establish_duration_ms_count{partition=\"default\",peer_name=\"ops-01\"} 1\n"),
                onDialer);
        assertTrue(onDialer.contains("cluster_peering_heartbeat_rtt_ms{partition=\"default\",peer_name=\"ops-01\",quantile=\"0.99\"} "),
                onDialer);
        assertEquals(400, dialer.get("/v1/agent/metrics?format=xml").statusCode());
    }

    @Test
    void linkLatencyPercentilesArePresentAndPlausibleAfterAFewHeartbeats() throws Exception {
        Eventually.within(LIMIT, "three heartbeats measured", () ->
                read(dialer, "ops-01").get("StreamStatus").path("LinkLatency").path("Heartbeats").asInt() >= 3);
        JsonNode latency = read(dialer, "ops-01").get("StreamStatus").get("LinkLatency");
        long p50 = latency.get("P50Millis").asLong();
        long p99 = latency.get("P99Millis").asLong();
        assertTrue(p50 >= 0 && p50 <= p99 && p99 < 5_000, latency.toString());
        assertTrue(latency.get("Heartbeats").asInt() <= io.clusterpeering.domain.LinkLatency.WINDOW);
        JsonNode gauge = gauge(dialer, "cluster_peering.heartbeat.rtt_p99_ms", "ops-01").orElseThrow();
        assertTrue(gauge.get("Value").asDouble() >= 0 && gauge.get("Value").asDouble() < 5_000, gauge.toString());
        assertNotNull(read(acceptor, "ops-02").get("StreamStatus").get("LinkLatency"), "the acceptor measures its own");
    }

    @Test
    void anExistingPeeringsLinkCheckPassesFromBothSides() {
        for (ConsulHttp side : List.of(dialer, acceptor)) {
            JsonNode report = json(side.get("/v1/peering/" + (side == dialer ? "ops-01" : "ops-02") + "/check").body());
            assertTrue(report.get("Passed").asBoolean(), report.toString());
            assertEquals(List.of("peer-known", "address-resolves", "tcp-connect", "tls-handshake", "liveness-probe",
                    "peer-state", "clock-skew"), names(report));
            assertEquals("the peer's side of this peering reads ACTIVE", step(report, "peer-state").get("Detail").asText());
        }
        assertEquals(404, dialer.get("/v1/peering/never-was/check").statusCode());
    }

    private static List<String> names(JsonNode report) {
        return StreamSupport.stream(report.get("Checks").spliterator(), false).map(c -> c.get("Name").asText()).toList();
    }

    private static JsonNode step(JsonNode report, String name) {
        return StreamSupport.stream(report.get("Checks").spliterator(), false)
                .filter(c -> c.get("Name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static String firstFailure(JsonNode report) {
        return StreamSupport.stream(report.get("Checks").spliterator(), false)
                .filter(c -> c.get("Status").asText().equals("fail")).map(c -> c.get("Name").asText()).findFirst().orElse("");
    }

    private JsonNode check(String token) {
        HttpResponse<String> response = dialer.post("/v1/peering/check", "{\"PeeringToken\":\"" + token + "\"}");
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    @Test
    void theCheckPassesForAGoodTokenWithoutConsumingItThenSaysItWasUsed() {
        String token = generate(acceptor, "chk-02");
        JsonNode report = check(token);
        assertTrue(report.get("Passed").asBoolean(), report.toString());
        assertEquals(List.of("token-format", "token-signature", "token-expiry-audience", "address-resolves", "tcp-connect",
                "tls-handshake", "liveness-probe", "token-unused", "clock-skew"), names(report));
        JsonNode tls = step(report, "tls-handshake");
        assertEquals("skip", tls.get("Status").asText());
        assertEquals("skipped: the peer is reached over plain HTTP", tls.get("Detail").asText());
        assertEquals("127.0.0.1:" + io.clusterpeering.support.PeeringFlow.port(dc1), tls.get("Address").asText());
        assertTrue(step(report, "token-expiry-audience").get("Detail").asText().contains("names this cluster \"chk-02\""));

        assertEquals(200, establish(dialer, "chk-01", token).statusCode(), "the check did not consume the secret");
        JsonNode again = check(token);
        assertEquals("token-unused", firstFailure(again), again.toString());
        assertTrue(step(again, "token-unused").get("Hint").asText().contains("generate a new one"));
    }

    @Test
    void theCheckNamesTheSignatureForATamperedTokenAndTheOriginalStillEstablishes() {
        String token = generate(acceptor, "tamper-02");
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"PeerID\":\"", "\"PeerID\":\"0");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        JsonNode report = check(tampered);
        assertEquals("token-signature", firstFailure(report), report.toString());
        assertTrue(step(report, "token-signature").get("Detail").asText().contains("altered after signing"));
        assertEquals("skip", step(report, "liveness-probe").get("Status").asText());
        assertEquals(200, establish(dialer, "tamper-01", token).statusCode());
    }

    @Test
    void theCheckNamesTheExpiryOfAnExpiredTokenAndStillTestsTheLink() {
        PeeringTokenCodec codec = dc1.context().getBean(PeeringTokenCodec.class);
        PeeringToken fresh = codec.decodeUnverified(generate(acceptor, "expired-02"));
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String expired = codec.encode(new PeeringToken(fresh.caPems(), fresh.manualServerAddresses(), fresh.serverAddresses(),
                fresh.serverScheme(), fresh.serverName(), fresh.peerId(), fresh.establishmentSecret(), fresh.remote(),
                fresh.audience(), past, past.plus(Duration.ofHours(1))));
        JsonNode report = check(expired);
        assertEquals("token-expiry-audience", firstFailure(report), report.toString());
        assertTrue(step(report, "token-expiry-audience").get("Detail").asText().startsWith("the token expired at"));
        assertEquals("pass", step(report, "liveness-probe").get("Status").asText());
        assertEquals("pass", step(report, "clock-skew").get("Status").asText());
    }

    @Test
    void theCheckNamesTheAddressThatDoesNotResolve() {
        HttpResponse<String> generated = acceptor.post("/v1/peering/token",
                "{\"PeerName\":\"wrong-02\",\"ServerExternalAddresses\":[\"no-such-host.invalid:8500\"]}");
        JsonNode report = check(json(generated.body()).get("PeeringToken").asText());
        assertEquals("address-resolves", firstFailure(report), report.toString());
        assertEquals("no-such-host.invalid:8500", step(report, "address-resolves").get("Address").asText());
        assertEquals("skip", step(report, "tcp-connect").get("Status").asText());
        assertEquals("skipped: no acceptor address is reachable", step(report, "liveness-probe").get("Detail").asText());
    }

    @Test
    void theCheckNamesTheConnectionForAStoppedAcceptor() {
        LocalCluster dc5 = startCluster("dc5");
        int port = io.clusterpeering.support.PeeringFlow.port(dc5);
        String token;
        try {
            token = generate(client(dc5), "stopped-02");
        } finally {
            dc5.close();
        }
        Eventually.within(LIMIT, "the stopped acceptor's port refuses connections", () -> {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
                return false;
            } catch (java.io.IOException refused) {
                return true;
            }
        });
        JsonNode report = check(token);
        assertEquals("tcp-connect", firstFailure(report), report.toString());
        assertTrue(step(report, "tcp-connect").get("Hint").asText().contains("running"));
        assertEquals(List.of("pass", "pass", "pass", "pass", "fail", "skip", "skip", "skip", "skip"),
                StreamSupport.stream(report.get("Checks").spliterator(), false).map(c -> c.get("Status").asText()).toList());
    }

    private static JsonNode claims(String token) {
        return json(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
    }
}
