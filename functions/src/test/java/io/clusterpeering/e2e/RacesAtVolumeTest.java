package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.domain.PeeringException;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.GenerateTokenCommand;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.Eventually;
import io.clusterpeering.support.TableSnapshot;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.EstablishmentSecrets;
import io.clusterpeering.token.PeeringToken;
import io.clusterpeering.token.PeeringTokenCodec;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static io.clusterpeering.support.PeeringFlow.startCluster;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peering race rules at volume, with real threads against DynamoDB Local:
 * <ul>
 *   <li>many establishes raced over many tokens (each racer a different dialer): exactly one winner per token,
 *       every other racer refused with the 403 rule ({@code EstablishmentSecretRejected});</li>
 *   <li>regenerate racing establish: of the racers holding the old token at most one wins, exactly one holder of
 *       the new token wins, and the peering ends held by the new token's winner: never both tokens;</li>
 *   <li>concurrent DELETE and establish on one name, through the HTTP API of two clusters: each round ends
 *       either deleted (404 here, the acceptor TERMINATED) or established and linked, never half of each.</li>
 * </ul>
 * CI's size: 50 tokens × 10 establishes, 20 regenerate rounds, 10 delete rounds. The soak:
 * {@code -Dpeering.races.tokens=1000 -Dpeering.races.establishes=10000} (establishes in all, spread over the
 * tokens). Figures are printed.
 */
class RacesAtVolumeTest {
    private static final int TOKENS = Integer.getInteger("peering.races.tokens", 50);
    private static final int ESTABLISHES = Integer.getInteger("peering.races.establishes", 500);
    private static final int THREADS = 32;
    private static ApplicationContext acceptor;

    @BeforeAll
    static void start() {
        acceptor = ApplicationContext.run(TestDynamoDb.freshTable("races"));
    }

    @AfterAll
    static void stop() {
        acceptor.close();
    }

    @Test
    void manyEstablishesOverManyTokensHaveExactlyOneWinnerEach() throws Exception {
        PeeringService service = acceptor.getBean(PeeringService.class);
        PeeringStore store = acceptor.getBean(PeeringStore.class);
        PeeringTokenCodec codec = acceptor.getBean(PeeringTokenCodec.class);
        List<PeeringToken> tokens = new ArrayList<>();
        for (int i = 0; i < TOKENS; i++) {
            tokens.add(codec.decode(service.generateToken(new GenerateTokenCommand("race-" + i, null, null, null), "test")));
        }
        Map<String, AtomicInteger> winners = new ConcurrentHashMap<>();
        AtomicInteger refused = new AtomicInteger();
        List<Callable<Void>> racers = new ArrayList<>();
        for (int i = 0; i < ESTABLISHES; i++) {
            PeeringToken token = tokens.get(i % TOKENS);
            racers.add(() -> {
                try {
                    store.consumeEstablishmentSecret(token.peerId(), EstablishmentSecrets.hash(token.establishmentSecret()),
                            dialer(), Instant.now());
                    winners.computeIfAbsent(token.peerId(), k -> new AtomicInteger()).incrementAndGet();
                } catch (PeeringException.EstablishmentSecretRejected e) {
                    refused.incrementAndGet();
                }
                return null;
            });
        }
        long started = System.nanoTime();
        runAll(racers);
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("RacesAtVolumeTest: %d establishes raced over %d tokens on %d threads in %d ms: %d winners, %d refused%n",
                ESTABLISHES, TOKENS, THREADS, millis, winners.values().stream().mapToInt(AtomicInteger::get).sum(), refused.get());
        assertEquals(TOKENS, winners.size(), "every token has a winner");
        winners.forEach((token, count) -> assertEquals(1, count.get(), "winners of token " + token));
        assertEquals(ESTABLISHES - TOKENS, refused.get(), "every other racer is refused by the single-use rule");
    }

    @Test
    void regenerateRacingEstablishNeverLetsBothTokensWin() throws Exception {
        PeeringService service = acceptor.getBean(PeeringService.class);
        PeeringStore store = acceptor.getBean(PeeringStore.class);
        PeeringTokenCodec codec = acceptor.getBean(PeeringTokenCodec.class);
        int rounds = 20;
        int bothWonInSequence = 0;
        for (int round = 0; round < rounds; round++) {
            String name = "regen-" + round;
            PeeringToken old = codec.decode(service.generateToken(new GenerateTokenCommand(name, null, null, null), "test"));
            CountDownLatch regenerated = new CountDownLatch(1);
            PeeringToken[] fresh = new PeeringToken[1];
            Map<String, String> wonBy = new ConcurrentHashMap<>();
            List<Callable<Void>> racers = new ArrayList<>();
            racers.add(() -> {
                fresh[0] = codec.decode(service.generateToken(new GenerateTokenCommand(name, null, null, null), "test"));
                regenerated.countDown();
                return null;
            });
            for (int i = 0; i < 5; i++) {
                racers.add(() -> {
                    tryConsume(store, old, "old", wonBy);
                    return null;
                });
                racers.add(() -> {
                    regenerated.await();
                    tryConsume(store, fresh[0], "new", wonBy);
                    return null;
                });
            }
            runAll(racers);
            long oldWins = wonBy.values().stream().filter("old"::equals).count();
            long newWins = wonBy.values().stream().filter("new"::equals).count();
            assertTrue(oldWins <= 1, "old token winners: " + oldWins);
            assertEquals(1, newWins, "the new token has exactly one winner");
            var row = store.findWithSecretHashes(old.peerId()).orElseThrow();
            String newWinner = wonBy.entrySet().stream().filter(e -> e.getValue().equals("new")).findFirst().orElseThrow().getKey();
            assertEquals(newWinner, row.peering().peerId(), "the peering is held by the new token's winner");
            assertEquals(EstablishmentSecrets.hash(fresh[0].establishmentSecret()), row.usedSecretHash());
            bothWonInSequence += oldWins;
        }
        System.out.printf("RacesAtVolumeTest: %d regenerate rounds, each with 5 old-token and 5 new-token establishes; "
                + "the old token won (before the regenerate) in %d rounds, the new token ended holding every peering%n",
                rounds, bothWonInSequence);
    }

    @Test
    void concurrentDeleteAndEstablishOnOneNameEndConsistent() throws Exception {
        try (LocalCluster dc1 = startCluster("dc1"); LocalCluster dc2 = startCluster("dc2")) {
            ConsulHttp one = client(dc1);
            ConsulHttp two = client(dc2);
            int rounds = 10;
            int deleted = 0;
            for (int round = 0; round < rounds; round++) {
                String name = "both-" + round;
                long pause = round * 30L;
                HttpResponse<String> generated = one.post("/v1/peering/token", "{\"PeerName\":\"" + name + "\"}");
                String token = json(generated.body()).get("PeeringToken").asText();
                List<Callable<HttpResponse<String>>> racers = List.of(
                        () -> two.sendUnchecked("POST", "/v1/peering/establish",
                                "{\"PeerName\":\"" + name + "\",\"PeeringToken\":\"" + token + "\"}"),
                        () -> {
                            Thread.sleep(pause);
                            return two.sendUnchecked("DELETE", "/v1/peering/" + name, null);
                        });
                List<Object> outcomes = io.clusterpeering.support.Race.run(racers);
                for (Object outcome : outcomes) {
                    assertTrue(outcome instanceof HttpResponse<?> r && (r.statusCode() == 200 || r.statusCode() == 409),
                            "round " + round + ": " + outcome);
                }
                Eventually.within(Duration.ofSeconds(20), "round " + round + " settles", () -> {
                    JsonNode row = row(two, name);
                    return row == null || row.path("State").asText().equals("ACTIVE");
                });
                JsonNode dialerRow = row(two, name);
                if (dialerRow == null) {
                    deleted++;
                    Eventually.within(Duration.ofSeconds(20), "the acceptor is not left ACTIVE", () -> {
                        JsonNode acceptorRow = row(one, name);
                        return acceptorRow != null && !"ACTIVE".equals(acceptorRow.path("State").asText());
                    });
                } else {
                    assertEquals(row(one, name).path("ID").asText(), dialerRow.path("PeerID").asText());
                }
                for (LocalCluster cluster : List.of(dc1, dc2)) {
                    List<String> broken = TableSnapshot.of(cluster).brokenInvariants();
                    assertTrue(broken.isEmpty(), "round " + round + ": " + broken);
                }
            }
            System.out.printf("RacesAtVolumeTest: %d rounds of DELETE racing establish on one name: %d ended deleted, "
                    + "%d established%n", rounds, deleted, rounds - deleted);
        }
    }

    /** One read of a peering: its JSON, or null when there is none (404). */
    private static JsonNode row(ConsulHttp cluster, String name) {
        HttpResponse<String> response = cluster.sendUnchecked("GET", "/v1/peering/" + name, null);
        if (response.statusCode() == 404) {
            return null;
        }
        assertEquals(200, response.statusCode(), response.body());
        return json(response.body());
    }

    private static void tryConsume(PeeringStore store, PeeringToken token, String which, Map<String, String> wonBy) {
        PeeringStore.DialerDetails dialer = dialer();
        try {
            store.consumeEstablishmentSecret(token.peerId(), EstablishmentSecrets.hash(token.establishmentSecret()),
                    dialer, Instant.now());
            wonBy.put(dialer.peeringId(), which);
        } catch (PeeringException.EstablishmentSecretRejected e) {
            // lost
        }
    }

    private static PeeringStore.DialerDetails dialer() {
        return new PeeringStore.DialerDetails(UUID.randomUUID().toString(), List.of(), "server.dc2.peering.x.consul",
                List.of("http://127.0.0.1:1"), new Remote("default", "dc2"));
    }

    /** Runs the tasks as a {@link Race} on {@value #THREADS} threads at most; rethrows the first failure. */
    private static <T> void runAll(List<Callable<T>> tasks) throws Exception {
        for (Object outcome : io.clusterpeering.support.Race.run(tasks, THREADS)) {
            if (outcome instanceof Exception failure) {
                throw failure;
            }
            if (outcome instanceof Error error) {
                throw error;
            }
        }
    }
}
