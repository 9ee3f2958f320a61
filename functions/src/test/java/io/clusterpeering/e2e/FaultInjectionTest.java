package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.Clusters;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.FaultInjector;
import io.clusterpeering.support.FaultInjector.Fault;
import io.clusterpeering.support.TableSnapshot;
import io.clusterpeering.support.TwoClusters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DynamoDB faults injected into every store call of every use case, through the public HTTP API of real local
 * clusters (and their stream poller), by {@link FaultInjector}: an AWS SDK interceptor that throws before an
 * attempt is sent, inside the SDK's retry loop. For each use case it first runs once without faults and counts
 * the calls of each DynamoDB operation it makes; then:
 * <ul>
 *   <li><b>transient</b>: the first call of each operation meets two retryable faults in a row (throttling,
 *       provisioned throughput exceeded, a 500 or an attempt timeout, in turn), which the client's retries
 *       absorb: the request succeeds as without faults;</li>
 *   <li><b>persistent</b>: the k-th call of each operation fails on all of its 9 attempts (a 500 or an
 *       attempt timeout) or loses a race (a failed condition, a cancelled transaction), for the first and the last k
 *       (every k with {@code -Dpeering.faults.every-call=true}): the answer
 *       is a plain-text 5xx (or the documented 4xx) with no stack trace and no exception name; work done in the
 *       background (the purge, a replication update) ends where it would have ended without faults.</li>
 * </ul>
 * After every request both tables hold the invariants of {@link TableSnapshot}; a refused single-cluster write
 * leaves the table as it was (but for bookkeeping); a failed establishment leaves the two clusters either
 * linked or the dialer without a row, and retrying with the same token, or a new one, succeeds. The number of
 * faults injected per use case is printed.
 */
@TwoClusters(settings = {"peering.test.fault-injection=true", "peering.heartbeat-interval=1h",
        "peering.peer-call-timeout=5s", "peering.dynamodb.retry-base-delay=" + FaultInjectionTest.RETRY_BASE_DELAY})
class FaultInjectionTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);
    private static final int MAX_ATTEMPTS = 9;
    /**
     * The SDK's retries still make every attempt (MAX_ATTEMPTS) but back off from 2 ms instead of production's 25 ms
     * (500 ms when throttled): hundreds of injected faults would otherwise spend minutes in backoff sleeps.
     */
    static final String RETRY_BASE_DELAY = "2ms";
    private static final Pattern STACK = Pattern.compile("Exception|\\bat [\\w$.]+\\(|software\\.amazon|io\\.clusterpeering");
    private static final Predicate<String> HTTP = thread -> !thread.contains("scheduled");
    /** The stream poller and heartbeat schedule, and the purge's workers. */
    private static final Predicate<String> BACKGROUND = thread -> thread.contains("scheduled") || thread.startsWith("purge-");
    private static final List<Fault> TRANSIENT = List.of(Fault.THROTTLING, Fault.PROVISIONED_THROUGHPUT,
            Fault.INTERNAL_SERVER_ERROR, Fault.ATTEMPT_TIMEOUT);
    private static final Set<String> WRITES = Set.of("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems",
            "BatchWriteItem");
    /** Per use case: faults injected, requests made, how those ended. */
    private static final Map<String, Map<String, AtomicInteger>> COUNTS = new LinkedHashMap<>();

    private final LocalCluster dc1;
    private final LocalCluster dc2;
    private final ConsulHttp acceptor;
    private final ConsulHttp dialer;

    FaultInjectionTest(Clusters clusters) {
        dc1 = clusters.dc1();
        dc2 = clusters.dc2();
        acceptor = clusters.client1();
        dialer = clusters.client2();
    }

    @AfterAll
    static void report() {
        StringBuilder report = new StringBuilder("Faults injected per use case:\n");
        COUNTS.forEach((useCase, counts) -> report.append("  ").append(useCase).append(": ").append(counts).append('\n'));
        System.out.print(report);
    }

    // ---- the use cases ----

    @Test
    void generatingATokenSurvivesOrFailsCleanly() {
        exercise("generate token", dc1, HTTP, List.of(dc1), () -> {
            String name = "gen-" + suffix();
            return new Attempt(() -> acceptor.sendUnchecked("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}"), 200,
                    response -> {
                        if (response.statusCode() == 200) {
                            assertEquals(200, peerWith(json(response.body()).get("PeeringToken").asText(), "est-" + name)
                                    .statusCode(), "the token of a generate that met faults works");
                        }
                    }, true);
        });
    }

    @Test
    void theAcceptorsSecretExchangeSurvivesOrFailsCleanly() {
        exercise("establish: acceptor exchange", dc1, HTTP, List.of(dc1, dc2), () -> {
            String name = "acc-" + suffix();
            String token = generate(name);
            return new Attempt(() -> peerWith(token, "dial-" + name), 200, response -> {
                if (response.statusCode() != 200) {
                    assertNoDialerRowOrLinked("dial-" + name);
                    assertEquals(200, peerWith(token, "dial-" + name).statusCode(),
                            "after a failed exchange the same token establishes");
                }
                assertLinked("dial-" + name);
            }, false);
        });
    }

    @Test
    void revokingATokenSurvivesOrFailsCleanly() {
        exercise("revoke token", dc1, HTTP, List.of(dc1, dc2), () -> {
            String name = "rev-" + suffix();
            String token = generate(name);
            String revoke = "/v1/peering/" + name + "/token";
            return new Attempt(() -> acceptor.sendUnchecked("DELETE", revoke, null), 200, response -> {
                if (response.statusCode() != 200) {
                    HttpResponse<String> again = acceptor.sendUnchecked("DELETE", revoke, null);
                    assertEquals(200, again.statusCode(), "after a failed revoke, revoking again works: " + again.body());
                }
                HttpResponse<String> refused = peerWith(token, "dial-" + name);
                assertEquals(403, refused.statusCode(), "a revoked token establishes nothing: " + refused.body());
                assertEquals(404, dialer.sendUnchecked("GET", "/v1/peering/dial-" + name, null).statusCode());
                assertEquals(200, peerWith(generate(name), "dial-" + name).statusCode(), "a new token establishes");
                assertLinked("dial-" + name);
            }, true);
        });
    }

    @Test
    void theDialersSaveSurvivesOrFailsCleanly() {
        exercise("establish: dialer save", dc2, HTTP, List.of(dc1, dc2), () -> {
            String name = "dia-" + suffix();
            String token = generate(name);
            return new Attempt(() -> peerWith(token, "dial-" + name), 200, response -> {
                if (response.statusCode() != 200) {
                    assertNoDialerRowOrBothEnded("dial-" + name, name);
                    HttpResponse<String> again = peerWith(token, "dial-" + name);
                    if (again.statusCode() != 200) {
                        assertEquals(403, again.statusCode(), again.body());
                        assertEquals(200, peerWith(generate(name), "dial-" + name).statusCode(),
                                "after a failed save a new token establishes");
                    }
                }
                assertLinked("dial-" + name);
            }, false);
        });
    }

    @Test
    void deletionAndPurgeFinishDespiteFaults() {
        exercise("delete + purge (stream handler)", dc2, BACKGROUND, true, List.of(dc1, dc2), () -> {
            String name = "del-" + suffix();
            String partition = "p" + suffix();
            String service = "svc-" + name;
            peerIn(partition, name);
            register(partition, service);
            export(partition, service, name);
            Eventually.within(LIMIT, "imported", () -> importedHealth(partition, "dial-" + name, service).size() == 1);
            String query = "?partition=" + partition;
            return new Attempt(() -> dialer.sendUnchecked("DELETE", "/v1/peering/dial-" + name + query, null), 200, response -> {
                Eventually.within(LIMIT, "the peering is gone", () -> dialer.sendUnchecked("GET", "/v1/peering/dial-" + name + query, null)
                        .statusCode() == 404);
                assertTrue(TableSnapshot.of(dc2).items().keySet().stream()
                        .noneMatch(key -> key.startsWith("IMPORTED#" + partition + "#")), "nothing imported is left");
            }, false);
        });
    }

    @Test
    void replicationApplySurvivesOrConvergesAfterFaults() {
        exercise("replication apply (peer message)", dc2, HTTP, true, List.of(dc1, dc2), () -> {
            String name = "rep-" + suffix();
            String partition = "p" + suffix();
            String service = "svc-" + name;
            peerIn(partition, name);
            register(partition, service);
            return new Attempt(() -> export(partition, service, name), 200, response -> {
                // Once both stream pollers are idle the update was sent (or failed): the poller sends it before it
                // moves on, so one look tells which. Either way is correct: when it failed, the exporter's next
                // heartbeat resyncs by digest (and a look that came too early only takes that path).
                settle();
                if (importedHealth(partition, "dial-" + name, service).size() != 1) {
                    // The update failed on the importer: the exporter's next heartbeat resyncs by digest.
                    PeeringStore store = dc1.context().getBean(PeeringStore.class);
                    dc1.context().getBean(HeartbeatService.class)
                            .beat(store.find(new PeeringKey(partition, name)).orElseThrow());
                    Eventually.within(LIMIT, "imported after the resync",
                            () -> importedHealth(partition, "dial-" + name, service).size() == 1);
                }
            }, false);
        });
    }

    @Test
    void catalogRegisterSurvivesOrFailsCleanly() {
        exercise("catalog register", dc1, HTTP, List.of(dc1), () -> {
            String node = "node-" + suffix();
            return new Attempt(() -> acceptor.sendUnchecked("PUT", "/v1/catalog/register", "{\"Node\":\"" + node
                    + "\",\"Address\":\"10.0.0.9\",\"Service\":{\"ID\":\"web-" + node + "\",\"Service\":\"web\",\"Port\":80},"
                    + "\"Checks\":[{\"CheckID\":\"web-http\",\"Name\":\"http\",\"Status\":\"passing\",\"ServiceID\":\"web-"
                    + node + "\"}]}"), 200, response -> {
            }, true);
        });
    }

    @Test
    void aclWritesSurviveOrFailCleanly() {
        // Bootstrap happens once per cluster: learn its calls on a throwaway cluster, then fail each of them on a
        // fresh cluster (every failure must leave bootstrap possible), then bootstrap with transient faults.
        Map<String, Object> faults = Map.of("peering.test.fault-injection", true, "peering.heartbeat-interval", "1h",
                "peering.dynamodb.retry-base-delay", RETRY_BASE_DELAY);
        Map<String, Integer> bootstrapCalls;
        try (LocalCluster probe = AclFlow.startCluster("dc3", "deny", faults)) {
            FaultInjector injector = probe.context().getBean(FaultInjector.class);
            injector.countOn(HTTP);
            client(probe).withToken(null).sendUnchecked("GET", "/v1/peerings", null);
            injector.clear();
            AclFlow.bootstrap(client(probe));
            bootstrapCalls = injector.attempts();
        }
        Map<String, AtomicInteger> counts = counts("ACL bootstrap");
        bootstrapCalls.forEach((operation, calls) -> {
            for (int k : callsToFail(calls)) {
                for (Fault fault : persistentFaults(operation, k)) {
                    // A fresh cluster each time: a bootstrap that succeeds cannot be tried again.
                    try (LocalCluster fresh = AclFlow.startCluster("dc3", "deny", faults)) {
                        FaultInjector injector = fresh.context().getBean(FaultInjector.class);
                        String what = "bootstrap with " + operation + " call " + k + " failing: " + fault;
                        HttpResponse<String> warmUp = client(fresh).withToken(null).sendUnchecked("GET", "/v1/peerings", null);
                        assertEquals(403, warmUp.statusCode(), warmUp.body());
                        var before = TableSnapshot.of(fresh).withoutBookkeeping();
                        injector.clear();
                        FaultInjector.Rule rule = injector.inject(operation, null, HTTP, fault, k, times(fault));
                        HttpResponse<String> response = client(fresh).withToken(null).sendUnchecked("PUT", "/v1/acl/bootstrap", null);
                        injector.clear();
                        tally(counts, rule, response);
                        assertClean(response, what, fault);
                        if (response.statusCode() == 200) {
                            // Only a failure after the bootstrap landed may leave it a success: the audit event
                            // or the index advanced after the write.
                            assertTrue(rule.injected().get() == 0 || rule.keys().stream()
                                            .allMatch(key -> key.startsWith("AUDIT#") || key.equals("INDEX")),
                                    what + ": succeeded although " + rule.keys() + " failed");
                        } else {
                            assertEquals(List.of(), TableSnapshot.diff(before, TableSnapshot.of(fresh).withoutBookkeeping()),
                                    what + ": a failed bootstrap wrote something");
                            HttpResponse<String> again = client(fresh).withToken(null).sendUnchecked("PUT", "/v1/acl/bootstrap", null);
                            assertEquals(200, again.statusCode(), what + ": bootstrap is still possible: " + again.body());
                        }
                        assertTrue(TableSnapshot.of(fresh).brokenInvariants().isEmpty());
                    }
                }
            }
        });
        try (LocalCluster acl = AclFlow.startCluster("dc3", "deny", faults)) {
            ConsulHttp anonymous = client(acl);
            FaultInjector injector = acl.context().getBean(FaultInjector.class);
            List<FaultInjector.Rule> rules = transientRules(injector, bootstrapCalls.keySet(), HTTP);
            String management = AclFlow.bootstrap(anonymous);
            rules.forEach(rule -> tally(counts, rule, null));
            counts.computeIfAbsent("requests ok", k -> new AtomicInteger()).incrementAndGet();
            assertTrue(TableSnapshot.of(acl).brokenInvariants().isEmpty());

            ConsulHttp admin = anonymous.withToken(management);
            exercise("ACL policy create", acl, HTTP, List.of(acl), () -> {
                String body = "{\"Name\":\"p-" + suffix() + "\",\"Rules\":\"peering = \\\"read\\\"\"}";
                return new Attempt(() -> admin.sendUnchecked("PUT", "/v1/acl/policy", body), 200, response -> {
                }, true);
            });
            String policyId = AclFlow.policy(admin, "peering = \"read\"").get("ID").asText();
            exercise("ACL token create", acl, HTTP, List.of(acl), () -> new Attempt(() -> admin.sendUnchecked("PUT", "/v1/acl/token",
                    "{\"Description\":\"faults\",\"Policies\":[{\"ID\":\"" + policyId + "\"}]}"), 200, response -> {
                if (response.statusCode() == 200) {
                    String secret = json(response.body()).get("SecretID").asText();
                    assertEquals(200, anonymous.withToken(secret).sendUnchecked("GET", "/v1/acl/token/self", null).statusCode(),
                            "a token created despite faults can sign in");
                }
            }, true));
        }
    }

    // ---- the engine ----

    /**
     * One prepared request of a use case.
     *
     * @param request   sends it
     * @param okStatus  its status without faults
     * @param then      checks the end state (and heals what a failure may leave to retry)
     * @param unchanged whether a refused request must leave the table as it was (single-cluster writes)
     */
    private record Attempt(java.util.function.Supplier<HttpResponse<String>> request, int okStatus,
                           java.util.function.Consumer<HttpResponse<String>> then, boolean unchanged) {
    }

    /**
     * Runs a use case once without faults (counting its calls per operation on the target's threads), then with
     * transient faults on each operation, then with each call of each operation failing for good or losing a race.
     */
    private void exercise(String useCase, LocalCluster target, Predicate<String> threads,
                                 List<LocalCluster> checked, java.util.function.Supplier<Attempt> prepare) {
        exercise(useCase, target, threads, false, checked, prepare);
    }

    /**
     * As above; {@code async} when the target's work happens after the answer (a stream handler, a message to the
     * peer): its calls are counted until the end state is reached, and a fault is waited for before healing.
     */
    private void exercise(String useCase, LocalCluster target, Predicate<String> threads, boolean async,
                                 List<LocalCluster> checked, java.util.function.Supplier<Attempt> prepare) {
        FaultInjector injector = target.context().getBean(FaultInjector.class);
        Map<String, AtomicInteger> counts = counts(useCase);
        injector.countOn(threads);

        Attempt clean = prepare.get();
        settle();
        injector.clear();
        HttpResponse<String> first = clean.request().get();
        Map<String, Integer> calls = injector.attempts();
        assertEquals(clean.okStatus(), first.statusCode(), useCase + " without faults: " + first.body());
        clean.then().accept(first);
        if (async) {
            calls = injector.attempts();
        }
        calls.keySet().retainAll(Set.of("GetItem", "Query", "BatchGetItem", "PutItem", "UpdateItem", "DeleteItem",
                "TransactWriteItems", "BatchWriteItem", "TransactGetItems"));
        counts.computeIfAbsent("calls " + calls, k -> new AtomicInteger()).incrementAndGet();
        assertInvariants(useCase + " without faults", checked);

        Attempt attempt = prepare.get();
        settle();
        List<FaultInjector.Rule> rules = transientRules(injector, calls.keySet(), threads);
        HttpResponse<String> absorbed = attempt.request().get();
        attempt.then().accept(absorbed);
        injector.clear();
        rules.forEach(rule -> tally(counts, rule, null));
        assertEquals(attempt.okStatus(), absorbed.statusCode(), useCase + " with transient faults the SDK retries: "
                + absorbed.body());
        counts.computeIfAbsent("requests ok", k -> new AtomicInteger()).incrementAndGet();
        assertInvariants(useCase + " with transient faults", checked);

        calls.forEach((operation, count) -> {
            for (int k : callsToFail(count)) {
                for (Fault fault : persistentFaults(operation, k)) {
                    String what = useCase + " with " + operation + " call " + k + " failing: " + fault;
                    Attempt failing = prepare.get();
                    settle();
                    TableSnapshot before = TableSnapshot.of(target);
                    FaultInjector.Rule rule = injector.inject(operation, null, threads, fault, k, times(fault));
                    HttpResponse<String> response = failing.request().get();
                    if (async) {
                        awaitFault(rule);
                    }
                    tally(counts, rule, response);
                    assertClean(response, what, fault);
                    if (failing.unchanged() && response.statusCode() >= 400) {
                        assertEquals(List.of(), TableSnapshot.diff(before.withoutBookkeeping(),
                                TableSnapshot.of(target).withoutBookkeeping()),
                                what + ": answered " + response.statusCode() + " but the table changed");
                    }
                    assertInvariants(what, checked);
                    injector.clear();
                    failing.then().accept(response);
                    assertInvariants(what + ", then healed", checked);
                }
            }
        });
        injector.countOn(thread -> true);
    }

    /**
     * Which calls of an operation to fail: every one with {@code -Dpeering.faults.every-call=true}, else the first
     * and the last (CI's time budget).
     */
    private static List<Integer> callsToFail(int count) {
        if (Boolean.getBoolean("peering.faults.every-call")) {
            return java.util.stream.IntStream.range(0, count).boxed().toList();
        }
        return count == 1 ? List.of(0) : List.of(0, count - 1);
    }

    /** Waits until both clusters' stream pollers have read everything, so the next scenario starts quiet. */
    private void settle() {
        for (LocalCluster cluster : List.of(dc1, dc2)) {
            io.clusterpeering.local.LocalStreamPoller poller = cluster.context()
                    .getBean(io.clusterpeering.local.LocalStreamPoller.class);
            Eventually.within(LIMIT, "the stream poller caught up", poller::caughtUp);
        }
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the rule's fault was thrown and the work it hit has ended: all its faults thrown, or its count of
     * thrown faults unchanged for half a second (the SDK's backoff here is at most 64 ms) with both stream pollers
     * caught up; at most 10 s when the call it waits for never comes. (Waiting for all its faults alone took the
     * full 10 s whenever the use case made fewer attempts than the rule allows.)
     */
    private void awaitFault(FaultInjector.Rule rule) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int seen = -1;
        long steadySince = System.nanoTime();
        while (rule.remaining().get() > 0 && System.nanoTime() < deadline) {
            int thrown = rule.injected().get();
            if (thrown != seen) {
                seen = thrown;
                steadySince = System.nanoTime();
            } else if (thrown > 0 && System.nanoTime() - steadySince > Duration.ofMillis(500).toNanos()
                    && pollersCaughtUp()) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean pollersCaughtUp() {
        return List.of(dc1, dc2).stream().allMatch(cluster -> cluster.context()
                .getBean(io.clusterpeering.local.LocalStreamPoller.class).caughtUp());
    }

    /** The faults that make one call fail for good: a 500 or a timeout in turn, and a lost race for writes. */
    private static List<Fault> persistentFaults(String operation, int k) {
        List<Fault> faults = new ArrayList<>();
        faults.add(k % 2 == 0 ? Fault.INTERNAL_SERVER_ERROR : Fault.ATTEMPT_TIMEOUT);
        if (WRITES.contains(operation)) {
            faults.add("TransactWriteItems".equals(operation) && k % 2 == 1 ? Fault.TRANSACTION_CONFLICT
                    : Fault.CONDITIONAL_CHECK_FAILED);
        }
        return faults;
    }

    private static int times(Fault fault) {
        return fault == Fault.CONDITIONAL_CHECK_FAILED || fault == Fault.TRANSACTION_CONFLICT ? 1 : MAX_ATTEMPTS;
    }

    /** Two retryable faults on the first call of each operation, the kinds in turn. */
    private static List<FaultInjector.Rule> transientRules(FaultInjector injector, Set<String> operations,
                                                          Predicate<String> threads) {
        injector.clear();
        List<FaultInjector.Rule> rules = new ArrayList<>();
        int i = 0;
        for (String operation : operations) {
            rules.add(injector.inject(operation, null, threads, TRANSIENT.get(i++ % TRANSIENT.size()), 2));
        }
        return rules;
    }

    private static void tally(Map<String, AtomicInteger> counts, FaultInjector.Rule rule, HttpResponse<String> response) {
        counts.computeIfAbsent("faults", k -> new AtomicInteger()).addAndGet(rule.injected().get());
        counts.computeIfAbsent(rule.fault().name(), k -> new AtomicInteger()).addAndGet(rule.injected().get());
        if (response != null) {
            counts.computeIfAbsent("answered " + response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    private static synchronized Map<String, AtomicInteger> counts(String useCase) {
        return COUNTS.computeIfAbsent(useCase, k -> new java.util.TreeMap<>());
    }

    /**
     * A failure is a 4xx or 5xx in plain text: no stack trace, no exception name, no class name. A 5xx for a
     * DynamoDB failure (500, or 502 from a dialer whose acceptor answered 500); 403 and 409 for the rules; and for
     * a lost race also the 400 a rule documents (an ID already in use).
     */
    private static void assertClean(HttpResponse<String> response, String what, Fault fault) {
        String body = String.valueOf(response.body());
        assertFalse(STACK.matcher(body).find(), what + ": answered " + response.statusCode() + " with " + body);
        if (response.statusCode() >= 400) {
            assertFalse(body.isBlank(), what + ": an empty error body");
            assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"),
                    what + ": the error is not plain text: " + response.headers().map());
        }
        boolean race = fault == Fault.CONDITIONAL_CHECK_FAILED || fault == Fault.TRANSACTION_CONFLICT;
        assertTrue(Set.of(200, 403, 409, 500, 502, 503).contains(response.statusCode())
                        || (race && response.statusCode() == 400),
                what + ": answered " + response.statusCode() + " " + body);
    }

    private static void assertInvariants(String what, List<LocalCluster> clusters) {
        for (LocalCluster cluster : clusters) {
            List<String> broken = TableSnapshot.of(cluster).brokenInvariants();
            assertTrue(broken.isEmpty(), what + ": " + broken);
        }
    }

    /**
     * After the dialer failed to store the peering: the dialer has no row under the name, or it ended its row and
     * the acceptor's (both TERMINATED), or (the failure came after both were linked) they name each other.
     */
    private void assertNoDialerRowOrBothEnded(String dialerName, String acceptorName) {
        var dialerRow = TableSnapshot.of(dc2).items().get("PEERING#default|NAME#" + dialerName);
        var acceptorRow = TableSnapshot.of(dc1).items().get("PEERING#default|NAME#" + acceptorName);
        if (dialerRow == null) {
            assertFalse(acceptorRow != null && "ACTIVE".equals(acceptorRow.get("state").s()),
                    "the dialer has no row but the acceptor is ACTIVE: " + acceptorRow);
            return;
        }
        if ("TERMINATED".equals(dialerRow.get("state").s())) {
            assertEquals("TERMINATED", acceptorRow.get("state").s(), "the dialer ended its row, the acceptor did not");
            return;
        }
        assertLinked(dialerName);
    }

    /** The dialer has no row under the name, or its row and the acceptor's name each other. */
    private void assertNoDialerRowOrLinked(String dialerName) {
        if (dialer.sendUnchecked("GET", "/v1/peering/" + dialerName, null).statusCode() == 404) {
            return;
        }
        assertLinked(dialerName);
    }

    /** The dialer's row and the acceptor's row name each other, and the acceptor consumed the dialer's token. */
    private void assertLinked(String dialerName) {
        Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue> row =
                TableSnapshot.of(dc2).items().get("PEERING#default|NAME#" + dialerName);
        assertTrue(row != null, "the dialer has no row " + dialerName);
        String peerId = row.get("peerId").s();
        var acceptorRow = TableSnapshot.of(dc1).items().values().stream()
                .filter(item -> item.containsKey("id") && peerId.equals(item.get("id").s())
                        && item.get("pk").s().startsWith("PEERING#") && item.get("sk").s().startsWith("NAME#"))
                .findFirst().orElseThrow(() -> new AssertionError("no acceptor row " + peerId + " for " + dialerName));
        assertEquals(row.get("id").s(), acceptorRow.get("peerId") == null ? null : acceptorRow.get("peerId").s(),
                "the acceptor names another dialer: " + acceptorRow);
        assertEquals(row.get("tokenSecretHash"), acceptorRow.get("consumedSecretHash"),
                "the acceptor consumed another secret than the dialer's token's");
    }

    // ---- steps ----

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    private String generate(String name) {
        FaultInjector injector = dc1.context().getBean(FaultInjector.class);
        HttpResponse<String> response = acceptor.sendUnchecked("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}");
        assertEquals(200, response.statusCode(), "generate (rules " + injector.injected() + "): " + response.body());
        return json(response.body()).get("PeeringToken").asText();
    }

    private HttpResponse<String> peerWith(String token, String dialerName) {
        return dialer.sendUnchecked("POST", "/v1/peering/establish", "{\"PeerName\":\"" + dialerName + "\",\"PeeringToken\":\"" + token + "\"}");
    }

    private void peerIn(String partition, String name) {
        HttpResponse<String> token = acceptor.sendUnchecked("POST", "/v1/peering/token?partition=" + partition,
                "{\"PeerName\":\"" + name + "\"}");
        assertEquals(200, token.statusCode(), token.body());
        HttpResponse<String> established = dialer.sendUnchecked("POST", "/v1/peering/establish?partition=" + partition,
                "{\"PeerName\":\"dial-" + name + "\",\"PeeringToken\":\""
                        + json(token.body()).get("PeeringToken").asText() + "\"}");
        assertEquals(200, established.statusCode(), established.body());
    }

    private void register(String partition, String service) {
        HttpResponse<String> response = acceptor.sendUnchecked("PUT", "/v1/catalog/register?partition=" + partition, "{\"Node\":\"n-" + service
                + "\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"" + service + "-1\",\"Service\":\"" + service
                + "\",\"Port\":8080}}");
        assertEquals(200, response.statusCode(), response.body());
    }

    private HttpResponse<String> export(String partition, String service, String consumer) {
        HttpResponse<String> response = acceptor.sendUnchecked("PUT", "/v1/config?partition=" + partition,
                "{\"Kind\":\"exported-services\",\"Name\":\"" + partition + "\","
                + "\"Services\":[{\"Name\":\"" + service + "\",\"Consumers\":[{\"Peer\":\"" + consumer + "\"}]}]}");
        assertEquals(200, response.statusCode(), response.body());
        return response;
    }

    private JsonNode importedHealth(String partition, String peer, String service) {
        HttpResponse<String> response = dialer.sendUnchecked("GET", "/v1/health/service/" + service + "?partition=" + partition
                + "&peer=" + peer, null);
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }
}
