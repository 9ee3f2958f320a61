package io.clusterpeering.store;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.EstablishmentSecretRejected;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.store.PeeringStore.DialerDetails;
import io.clusterpeering.support.Race;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import static io.clusterpeering.support.ImportFixtures.issued;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every conditional rule of the store, against a real DynamoDB engine (DynamoDB Local, or LocalStack through
 * {@code PEERING_TEST_DYNAMODB_ENDPOINT}). The races use real threads released together.
 */
class PeeringStoreTest {
    private static final int RACERS = 16;
    private static ApplicationContext context;
    private static PeeringStore store;
    private static StreamStatusStore streamStatus;
    private static ImportedDataStore imported;
    private static ImportPurgeStore purges;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("store"));
        store = context.getBean(PeeringStore.class);
        streamStatus = context.getBean(StreamStatusStore.class);
        imported = context.getBean(ImportedDataStore.class);
        purges = context.getBean(ImportPurgeStore.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static PeeringKey newKey() {
        return new PeeringKey("default", "peer-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static DialerDetails dialer(String id) {
        return new DialerDetails(id, List.of("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"),
                "server.dc2.peering.x.consul", List.of("http://127.0.0.1:1"), new Remote("default", "dc2"));
    }

    @Test
    void generatingAgainKeepsThePeeringIdAndReplacesTheSecret() {
        PeeringKey key = newKey();
        Peering first = store.createPendingOrRenewSecret(key, Map.of("env", "test"), issued("hash-1"));
        Peering second = store.createPendingOrRenewSecret(key, Map.of("env", "other"), issued("hash-2"));

        assertEquals(first.id(), second.id());
        assertEquals(PeeringState.PENDING, second.state());
        assertEquals(Map.of("env", "test"), second.meta(), "a renewal keeps the Meta of the row, as Consul does");
        assertTrue(second.modifyIndex() > first.modifyIndex());
        assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(first.id(), "hash-1", dialer("d1"), Instant.now()),
                "the older token's secret no longer works");
        Peering active = store.consumeEstablishmentSecret(first.id(), "hash-2", dialer("d1"), Instant.now());
        assertEquals(PeeringState.ACTIVE, active.state());
        assertEquals("d1", active.peerId());
        assertEquals(new Remote("default", "dc2"), active.remote());
    }

    @Test
    void anExpiredSecretIsRefusedAndNotListed() {
        // given a token whose exp has passed (a dialer that skips the token's own expiry check reaches the store)
        PeeringKey key = newKey();
        Instant now = Instant.now();
        Peering pending = store.createPendingOrRenewSecret(key, null,
                new PeeringStore.IssuedSecret("old-hash", now.minusSeconds(120), now.minusSeconds(60)));

        EstablishmentSecretRejected expired = assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(pending.id(), "old-hash", dialer("d1"), now));

        assertTrue(expired.getMessage().endsWith("the token expired"), expired.getMessage());
        assertTrue(store.outstandingTokens("default", now).value().stream().noneMatch(t -> t.peeringId().equals(pending.id())));
        assertEquals(PeeringState.PENDING, store.find(key).orElseThrow().state());
    }

    @Test
    void aRenewalRemembersTheSupersededTokenAndARevokeEndsOnlyTheNewest() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash-1"));
        store.createPendingOrRenewSecret(key, null, issued("hash-2"));

        var listed = store.outstandingTokens("default", Instant.now()).value().stream()
                .filter(t -> t.peeringId().equals(pending.id())).toList();
        assertEquals(List.of(false, true), listed.stream().map(t -> t.superseded()).toList(), listed.toString());

        assertEquals(pending.id(), store.revokeEstablishmentSecret(key).peeringId());
        assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(pending.id(), "hash-2", dialer("d1"), Instant.now()));
        assertThrows(PeeringConflict.class, () -> store.revokeEstablishmentSecret(key), "nothing left to revoke");
        assertEquals(List.of(true), store.outstandingTokens("default", Instant.now()).value().stream()
                .filter(t -> t.peeringId().equals(pending.id())).map(t -> t.superseded()).toList());
    }

    @Test
    void anEstablishmentSecretIsUsedOnce() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());

        EstablishmentSecretRejected reuse = assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d2"), Instant.now()));
        assertTrue(reuse.getMessage().startsWith("a new peering token must be generated"));
        assertEquals("d1", store.find(key).orElseThrow().peerId(), "the loser changed nothing");
    }

    @Test
    void theDialerThatConsumedASecretMayRetryTheExchangeButNoOtherDialerMay() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());

        Peering retried = store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());
        assertEquals("d1", retried.peerId(), "a retry after a lost answer succeeds again");
        assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d2"), Instant.now()));
        store.createPendingOrRenewSecret(key, null, issued("hash-2"));
        assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now()),
                "a new token ends the retry window of the old one");
    }

    @Test
    void aReplayedTerminationChangesNothing() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        Peering active = store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());
        assertTrue(streamStatus.recordHeartbeat(active, Instant.now(), 500));

        assertFalse(store.markTerminated(active, 400), "older than the last message taken");
        assertEquals(PeeringState.ACTIVE, store.find(key).orElseThrow().state());
        assertTrue(store.markTerminated(active, 600));
        assertEquals(PeeringState.TERMINATED, store.find(key).orElseThrow().state());
    }

    @Test
    void everyWriteAdvancesTheIndexAgainAfterItLands() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        assertTrue(context.getBean(ConsulIndex.class).current(IndexScope.peerings(key.partition())) > pending.modifyIndex(),
                "a blocking reader woken before the write landed is woken again after it");
    }

    @Test
    void concurrentConsumersOfOneSecretHaveExactlyOneWinner() throws Exception {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("race-hash"));
        List<Callable<String>> racers = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            String dialerId = "dialer-" + i;
            racers.add(() -> store.consumeEstablishmentSecret(pending.id(), "race-hash", dialer(dialerId), Instant.now()).peerId());
        }
        List<Object> outcomes = Race.run(racers);

        List<Object> winners = outcomes.stream().filter(o -> o instanceof String).toList();
        assertEquals(1, winners.size(), "exactly one consumer wins: " + outcomes);
        assertTrue(outcomes.stream().filter(o -> !(o instanceof String))
                .allMatch(o -> o instanceof EstablishmentSecretRejected), "every loser is refused: " + outcomes);
        assertEquals(winners.get(0), store.find(key).orElseThrow().peerId());
    }

    @Test
    void concurrentFirstGenerationsAgreeOnOnePeering() throws Exception {
        PeeringKey key = newKey();
        List<Callable<String>> racers = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            String hash = "hash-" + i;
            racers.add(() -> store.createPendingOrRenewSecret(key, null, issued(hash)).id());
        }
        List<Object> outcomes = Race.run(racers);

        Set<Object> ids = outcomes.stream().filter(o -> o instanceof String).collect(Collectors.toSet());
        assertEquals(1, ids.size(), "all generations share one peering ID: " + outcomes);
        assertEquals(RACERS, outcomes.stream().filter(o -> o instanceof String).count(), "none failed: " + outcomes);
        assertEquals(1, store.list("default").stream().filter(p -> p.name().equals(key.name())).count());
    }

    @Test
    void aDeletingRowTakesNoNewTokenAndOnlyItsRemovalAfterwards() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));

        assertTrue(store.markDeleting(key, Instant.now()));
        assertFalse(store.markDeleting(key, Instant.now()), "marking twice is a no-op");
        Peering deleting = store.find(key).orElseThrow();
        assertEquals(PeeringState.DELETING, deleting.state());
        assertTrue(deleting.deletedAt() != null);
        assertThrows(PeeringConflict.class, () -> store.createPendingOrRenewSecret(key, null, issued("hash-2")));
        assertThrows(EstablishmentSecretRejected.class,
                () -> store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d"), Instant.now()),
                "marking DELETING dropped the secret");
        assertFalse(store.removeAfterPurge(key, "another-id"), "only the row with the same ID is removed");
        assertTrue(store.removeAfterPurge(key, pending.id()));
        assertTrue(store.find(key).isEmpty());
        assertTrue(store.findById(pending.id()).isEmpty(), "the ID pointer went with the row");
        assertFalse(store.removeAfterPurge(key, pending.id()), "removing twice is a no-op");
    }

    @Test
    void aRowThatIsNotDeletingIsNeverRemoved() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        assertFalse(store.removeAfterPurge(key, pending.id()));
        assertTrue(store.find(key).isPresent());
    }

    @Test
    void aNameKeepsItsRole() {
        PeeringKey acceptorName = newKey();
        store.createPendingOrRenewSecret(acceptorName, null, issued("hash"));
        assertThrows(PeeringConflict.class, () -> store.saveEstablishedDialer(dialerRow(acceptorName, "dialer-id"), "token-hash"));

        PeeringKey dialerName = newKey();
        store.saveEstablishedDialer(dialerRow(dialerName, "dialer-id-2"), "token-hash");
        PeeringConflict conflict = assertThrows(PeeringConflict.class,
                () -> store.createPendingOrRenewSecret(dialerName, null, issued("hash")));
        assertTrue(conflict.getMessage().contains("already an established peering"));
    }

    @Test
    void aDialerReEstablishesOverItsTerminatedRowWithTheSameId() {
        PeeringKey key = newKey();
        Peering dialer = store.saveEstablishedDialer(dialerRow(key, "dialer-id-3"), "token-hash");
        assertTrue(store.markTerminated(dialer, 10));
        assertEquals(PeeringState.TERMINATED, store.find(key).orElseThrow().state());

        store.saveEstablishedDialer(dialerRow(key, "dialer-id-3"), "token-hash-2");
        assertEquals(PeeringState.ESTABLISHING, store.find(key).orElseThrow().state());
        assertEquals("token-hash-2", store.findForEstablish(key).orElseThrow().tokenSecretHash());
        assertThrows(PeeringConflict.class, () -> store.saveEstablishedDialer(dialerRow(key, "a-different-id"), "h"));
    }

    @Test
    void aTerminatedAcceptorStartsOverAsPendingWhenATokenIsGenerated() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        Peering active = store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());
        assertTrue(store.markTerminated(active, 10));

        Peering renewed = store.createPendingOrRenewSecret(key, null, issued("hash-2"));
        assertEquals(pending.id(), renewed.id());
        assertEquals(PeeringState.PENDING, renewed.state());
        assertEquals(null, renewed.peerId());
    }

    @Test
    void livenessIsRecordedOnlyOnConnectedPeerings() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        assertFalse(streamStatus.recordHeartbeat(pending, Instant.now(), 1), "a PENDING row records no heartbeat");

        Peering active = store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        long indexBefore = context.getBean(ConsulIndex.class).current(IndexScope.peerings(key.partition()));
        assertTrue(streamStatus.recordHeartbeat(active, at, 100));
        assertFalse(streamStatus.recordHeartbeat(active, at.plusSeconds(5), 100), "a replayed heartbeat changes nothing");
        assertTrue(streamStatus.recordSent(active, at.plusSeconds(1)));
        assertTrue(streamStatus.recordSendFailure(active, at.plusSeconds(2), "connection refused"));
        assertEquals(indexBefore, context.getBean(ConsulIndex.class).current(IndexScope.peerings(key.partition())),
                "liveness does not bump the index");

        var liveness = store.find(key).orElseThrow().liveness();
        assertEquals(at, liveness.lastHeartbeat());
        assertEquals(at, liveness.lastReceive());
        assertEquals(at.plusSeconds(1), liveness.lastSend());
        assertEquals("connection refused", liveness.lastError());
    }

    @Test
    void anAnsweredHeartbeatThatARuleRefusesSaysWhichRuleHeldAsTheRowStoodAtTheWrite() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        PeeringConflict notConnected = assertThrows(PeeringConflict.class,
                () -> streamStatus.recordHeartbeatAnswered(pending, Instant.now(), 1));
        assertEquals("peering " + pending.id() + " is PENDING here", notConnected.getMessage());

        Peering active = store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d2"), Instant.now());
        streamStatus.recordHeartbeatAnswered(active, Instant.now(), 200);
        PeeringConflict replayed = assertThrows(PeeringConflict.class,
                () -> streamStatus.recordHeartbeatAnswered(active, Instant.now(), 150));
        assertEquals("peering " + active.id() + " already took a newer message (sequence 200; this one 150)",
                replayed.getMessage());

        // The row the caller read is stale: it became DELETING in between, and the message names that state.
        assertTrue(store.markDeleting(key, Instant.now()));
        PeeringConflict deleting = assertThrows(PeeringConflict.class,
                () -> streamStatus.recordHeartbeatAnswered(active, Instant.now(), 300));
        assertEquals("peering " + active.id() + " is DELETING here", deleting.getMessage());
    }

    @Test
    void purgeRemovesEverythingImportedFromOnePeerInBatches() {
        PeeringKey peer = newKey();
        PeeringKey otherPeer = newKey();
        imported.putTrustBundle(peer, "x.consul", List.of("pem"), Instant.now());
        imported.putTrustBundle(otherPeer, "y.consul", List.of("pem"), Instant.now());
        var dynamoDb = context.getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        String table = context.getProperty("peering.dynamodb.table-name", String.class).orElseThrow();
        for (int i = 0; i < 60; i++) {
            dynamoDb.putItem(r -> r.tableName(table).item(Map.of(
                    TableKeys.PK, Attributes.s(TableKeys.importedFrom(peer)),
                    TableKeys.SK, Attributes.s("NODE#node-" + UUID.randomUUID()))));
        }
        assertEquals(61, purges.count(peer));

        int firstBatch = purges.purgeBatch(peer);
        assertEquals(ImportPurgeStore.BATCH_LIMIT, firstBatch);
        while (purges.purgeBatch(peer) > 0) {
            // keep purging
        }
        assertEquals(0, purges.count(peer));
        assertEquals(0, purges.purgeBatch(peer), "purging again is a no-op");
        assertEquals(List.of("pem"), imported.trustBundle(otherPeer), "another peer's data is untouched");
    }

    @Test
    void anUpdateArrivingAfterTheDeletionWritesNothingAndOlderVersionsAreIgnored() {
        PeeringKey key = newKey();
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        Peering active = store.consumeEstablishmentSecret(pending.id(), "hash", dialer("d1"), Instant.now());
        var instance = new io.clusterpeering.domain.ServiceInstance("n1", "", "10.0.0.1", "dc2", null, null, "web-1",
                "web", List.of(), "", 80, null, List.of(), key.name(), 0, 0);
        assertEquals(ImportedDataStore.Applied.CHANGED, imported.applyUpdate(active, "web",
                List.of(new VersionedInstance("n1", "web-1", instance, 10)), Instant.now()));
        assertEquals(ImportedDataStore.Applied.UNCHANGED, imported.applyUpdate(active, "web",
                List.of(new VersionedInstance("n1", "web-1", instance, 10)), Instant.now()), "the same version again");
        assertEquals(ImportedDataStore.Applied.UNCHANGED, imported.applyUpdate(active, "web",
                List.of(new VersionedInstance("n1", "web-1", null, 5)), Instant.now()), "an older deletion");
        int before = purges.count(key);

        store.markDeleting(key, Instant.now());
        var other = new io.clusterpeering.domain.ServiceInstance("n1", "", "10.0.0.1", "dc2", null, null, "api-1",
                "api", List.of(), "", 80, null, List.of(), key.name(), 0, 0);

        assertEquals(ImportedDataStore.Applied.REFUSED, imported.applyUpdate(active, "api",
                List.of(new VersionedInstance("n1", "api-1", other, 20)), Instant.now()));
        assertEquals(before, purges.count(key), "nothing the purge could miss was written");
    }

    @Test
    void concurrentFirstStartsAgreeOnOneClusterIdentity() throws Exception {
        var properties = TestDynamoDb.freshTable("identity");
        List<ApplicationContext> contexts = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                contexts.add(ApplicationContext.run(properties));
            }
            List<Callable<String>> racers = new ArrayList<>();
            for (ApplicationContext each : contexts) {
                racers.add(() -> each.getBean(ClusterIdentitySource.class).identity().clusterId());
            }
            List<Object> ids = Race.run(racers);
            assertEquals(1, Set.copyOf(ids).size(), "one identity for the cluster: " + ids);
            ClusterIdentity identity = contexts.get(0).getBean(ClusterIdentitySource.class).identity();
            assertNotEquals(identity.caCertificate(), identity.signingCertificate());
        } finally {
            contexts.forEach(ApplicationContext::close);
        }
    }

    private static Peering dialerRow(PeeringKey key, String id) {
        return new Peering(id, key.name(), key.partition(), PeeringRole.DIALER, PeeringState.ESTABLISHING, null,
                Map.of(), "acceptor-id", List.of(), "server.dc1.peering.x.consul", List.of("127.0.0.1:8500"),
                List.of(), List.of("http://127.0.0.1:8500"), new Remote("default", "dc1"), null, 1, 1);
    }
}
