package io.clusterpeering.store;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.service.DeletionService;
import io.clusterpeering.store.PeeringStore.DialerDetails;
import io.clusterpeering.support.ImportFixtures;
import io.clusterpeering.support.Race;
import io.clusterpeering.support.TestDynamoDb;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.support.LambdaInvocation;
import io.clusterpeering.support.StreamEvents;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static io.clusterpeering.support.ImportFixtures.deletion;
import static io.clusterpeering.support.ImportFixtures.upsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of what is imported from a peer, against a real DynamoDB engine, with races that really race: newer
 * wins per instance whatever the order, a snapshot chunk deletes only what its version saw gone, a purge never
 * deletes what a newer apply lists, and a peering purge that is killed mid-way reports its progress and finishes
 * when it runs again. Sizes are kept small for CI (about a hundred instances; 2,500 for the interrupted purge,
 * enough for its three pages).
 */
class ImportedDataStoreTest {
    private static ApplicationContext context;
    private static PeeringStore store;
    private static ImportedDataStore imported;
    private static ImportPurgeStore purges;
    private static CatalogReads catalog;
    private static StreamStatusStore streamStatus;
    /** ViewedAt values for the lists these tests take, each newer than the last. */
    private static final java.util.concurrent.atomic.AtomicLong VIEWS = new java.util.concurrent.atomic.AtomicLong(1_000);

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("imported"));
        store = context.getBean(PeeringStore.class);
        imported = context.getBean(ImportedDataStore.class);
        purges = context.getBean(ImportPurgeStore.class);
        catalog = context.getBean(CatalogReads.class);
        streamStatus = context.getBean(StreamStatusStore.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static Peering activePeering() {
        return ImportFixtures.activePeering(store);
    }

    /** Takes a new, newest exported-services list for the peering, as the importer does first: its ViewedAt. */
    private static long takenList(Peering peering) {
        long viewedAt = VIEWS.incrementAndGet();
        assertTrue(streamStatus.takeExportList(peering, viewedAt));
        return viewedAt;
    }

    private static Map<String, ServiceInstance> importedNow(Peering peering, String service) {
        Map<String, ServiceInstance> byId = new HashMap<>();
        catalog.importedInstances(peering.key(), service).value().forEach(i -> byId.put(i.serviceId(), i));
        return byId;
    }

    @Test
    void updatesAppliedInAnyOrderFromRacingThreadsConvergeOnTheNewestVersionOfEachInstance() throws Exception {
        Peering peering = activePeering();
        List<VersionedInstance> updates = new ArrayList<>();
        Map<String, VersionedInstance> newest = new HashMap<>();
        Random random = new Random(42);
        for (int i = 0; i < 25; i++) {
            for (int version = 1; version <= 4; version++) {
                VersionedInstance update = random.nextInt(4) == 0 ? deletion("web", i, version * 10L + i)
                        : upsert("web", i, "v" + version, version * 10L + i);
                updates.add(update);
                newest.put(update.serviceId(), update);
            }
        }
        Collections.shuffle(updates, random);
        List<Callable<ImportedDataStore.Applied>> racers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            List<VersionedInstance> share = new ArrayList<>();
            for (int i = t; i < updates.size(); i += 8) {
                share.add(updates.get(i));
            }
            racers.add(() -> {
                ImportedDataStore.Applied last = ImportedDataStore.Applied.UNCHANGED;
                for (VersionedInstance update : share) {
                    last = imported.applyUpdate(peering, "web", List.of(update), Instant.now());
                }
                return last;
            });
        }
        Race.run(racers).forEach(outcome -> assertFalse(outcome instanceof Throwable, String.valueOf(outcome)));

        Map<String, ServiceInstance> stored = importedNow(peering, "web");
        long live = newest.values().stream().filter(u -> !u.deleted()).count();
        assertEquals(live, stored.size(), "exactly the instances whose newest version is not a deletion");
        newest.values().stream().filter(u -> !u.deleted()).forEach(u ->
                assertEquals(u.instance().tags(), stored.get(u.serviceId()).tags(), "the newest version of " + u.serviceId()));
        // Replaying every update again changes nothing: each is at most as new as what is stored.
        for (VersionedInstance update : updates) {
            assertEquals(ImportedDataStore.Applied.UNCHANGED, imported.applyUpdate(peering, "web", List.of(update), Instant.now()));
        }
        assertEquals(live, importedNow(peering, "web").size());
    }

    @Test
    void aSnapshotChunkDeletesOnlyWhatItsVersionSawGone() {
        Peering peering = activePeering();
        imported.applyUpdate(peering, "api", List.of(upsert("api", 1, "a", 30), upsert("api", 2, "a", 50),
                upsert("api", 3, "a", 35)), Instant.now());

        // A snapshot read at version 40 lists only api-3 (in the whole range).
        assertEquals(ImportedDataStore.Applied.CHANGED, imported.applyChunk(peering, "api", 40, "", null,
                List.of(upsert("api", 3, "b", 36)), Instant.now()));

        Map<String, ServiceInstance> stored = importedNow(peering, "api");
        assertFalse(stored.containsKey("api-1"), "version 30 was gone when the exporter read version 40");
        assertTrue(stored.containsKey("api-2"), "version 50 arrived after the snapshot's read and stays");
        assertEquals(List.of("b"), stored.get("api-3").tags());
    }

    @Test
    void aPurgeRacingAReExportNeverDeletesWhatTheNewerStateLists() throws Exception {
        for (int round = 0; round < 2; round++) {
            Peering peering = activePeering();
            List<VersionedInstance> all = new ArrayList<>();
            for (int i = 0; i < 120; i++) {
                all.add(upsert("web", i, "v1", 100 + i));
            }
            imported.applyUpdate(peering, "web", all, Instant.now());
            // The peer's list drops web: its instances are to be purged.
            imported.applyServiceList(peering, takenList(peering), Map.of());
            List<VersionedInstance> newer = all.stream().map(u -> upsert("web", Integer.parseInt(
                    u.serviceId().substring(4)), "v2", 1000 + Long.parseLong(u.serviceId().substring(4)))).toList();
            int delay = round * 2;

            List<Object> outcomes = Race.run(List.of(
                    () -> purges.purgeUnexported(peering.key(), "web", io.clusterpeering.domain.Deadline.after(Duration.ofSeconds(30))),
                    () -> {
                        Thread.sleep(delay * 15L);
                        // The peer exports web again, then sends it whole: the newer state lists every instance.
                        imported.applyServiceList(peering, takenList(peering),
                                Map.of("web", new ImportedDataStore.ListedService("0", 120, 2000)));
                        return imported.applyChunk(peering, "web", 2000, "", null, newer, Instant.now());
                    }));
            outcomes.forEach(outcome -> assertFalse(outcome instanceof Throwable, String.valueOf(outcome)));

            Map<String, ServiceInstance> stored = importedNow(peering, "web");
            assertEquals(120, stored.size(), "round " + round + ": every instance the newer state lists is there");
            stored.values().forEach(i -> assertEquals(List.of("v2"), i.tags()));
        }
    }

    /**
     * The stream function purges while its invocation has time left (Lambda's remaining time less
     * {@code peering.stream-safety-margin}, 15 s): with no more than the margin left it deletes one page and leaves
     * the rest with its progress recorded; with a full invocation it chains every page and removes the row in one
     * call.
     */
    @Test
    void aPurgeChainsItsPagesWhileTheInvocationHasTimeLeft() {
        Peering peering = deletingWithImports("chained", 3500);
        int items = purges.count(peering.key());
        PeeringStreamFunction stream = new PeeringStreamFunction(context);

        stream.handleRequest(deletingRecord(peering.key()), new LambdaInvocation("short", "PeeringStream", 15_000));
        Peering left = store.find(peering.key()).orElseThrow();
        int remaining = purges.count(peering.key());
        assertEquals(PeeringState.DELETING, left.state(), "no time left: the row stays for the next delivery");
        assertTrue(remaining > 0 && remaining <= items - 1000, "one page of 1,000 deleted: " + remaining + " of " + items);
        assertTrue(left.importedItemsLeft() != null && left.importedItemsLeft() > 0, "progress recorded: " + left.importedItemsLeft());

        stream.handleRequest(deletingRecord(peering.key()), new LambdaInvocation("full", "PeeringStream", 120_000));
        assertEquals(0, purges.count(peering.key()), "a full invocation chains the remaining pages");
        assertTrue(store.find(peering.key()).isEmpty(), "and removes the row in the same call");
    }

    /**
     * The time left is the current invocation's, of this application context: a Lambda Context that another
     * function's invocation left on the thread (here one with no time left, through another context) does not cut
     * a purge short when the local poller calls the handler without one.
     */
    @Test
    void aContextAnotherFunctionLeftOnTheThreadDoesNotCutAPurgeShort() {
        Peering peering = deletingWithImports("left", 2500);
        try (ApplicationContext other = ApplicationContext.run(TestDynamoDb.freshTable("other-function"))) {
            DynamodbEvent nothing = new DynamodbEvent();
            nothing.setRecords(List.of());
            new PeeringStreamFunction(other).handleRequest(nothing, new LambdaInvocation("spent", "Other", 0));
        }

        new PeeringStreamFunction(context).execute(deletingRecord(peering.key()));
        assertEquals(0, purges.count(peering.key()), "the whole purge ran in the one call");
        assertTrue(store.find(peering.key()).isEmpty());
    }

    /** An active peering that imported {@code instances} instances of one service, then marked DELETING. */
    private static Peering deletingWithImports(String service, int instances) {
        Peering peering = activePeering();
        List<VersionedInstance> batch = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            batch.add(upsert(service, i, "v1", i + 1));
        }
        imported.applyUpdate(peering, service, batch, Instant.now());
        store.markDeleting(peering.key(), Instant.now());
        return peering;
    }

    /** The stream record of a peering row that turned DELETING, as Lambda's event source mapping delivers it. */
    private static DynamodbEvent deletingRecord(PeeringKey key) {
        Map<String, String> keys = new HashMap<>();
        TableKeys.peering(key).forEach((name, value) -> keys.put(name, value.s()));
        return StreamEvents.modify(keys, Map.of(PeeringItems.STATE, StreamEvents.s(PeeringState.DELETING.name())), "deleting");
    }

    @Test
    void aPeeringPurgeKilledMidWayReportsItsProgressAndFinishesWhenItRunsAgain() throws Exception {
        Peering peering = activePeering();
        int instances = 2500;
        List<VersionedInstance> batch = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            batch.add(upsert("bulk", i, "v1", i + 1));
        }
        imported.applyUpdate(peering, "bulk", batch, Instant.now());
        int items = purges.count(peering.key());
        assertTrue(items > instances, "instances, the service's head and list entry: " + items);
        store.markDeleting(peering.key(), Instant.now());
        DeletionService deletion = context.getBean(DeletionService.class);

        AtomicReference<Throwable> killed = new AtomicReference<>();
        Thread handler = new Thread(() -> {
            try {
                deletion.finish(peering.key());
            } catch (Throwable e) {
                killed.set(e);
            }
        }, "purge-handler");
        handler.start();
        Integer left = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            left = store.find(peering.key()).orElseThrow().importedItemsLeft();
            if (left != null && left < items) {
                break;
            }
            Thread.sleep(2);
        }
        handler.interrupt();
        handler.join(30_000);

        Peering interrupted = store.find(peering.key()).orElseThrow();
        assertEquals(PeeringState.DELETING, interrupted.state(), "killed before it finished");
        assertTrue(left != null && left > 0 && left < items, "progress was reported as it went: " + left + " of " + items);
        assertTrue(purges.count(peering.key()) > 0, "the kill left items behind (" + killed.get() + ")");

        assertEquals(DeletionService.Outcome.REMOVED, deletion.finish(peering.key()), "the next delivery finishes it");
        assertEquals(0, purges.count(peering.key()));
        assertTrue(store.find(peering.key()).isEmpty());
    }

    @Test
    void aListOvertakenByANewerOneWhileBeingAppliedHidesNothingTheNewerOneExports() throws Exception {
        Map<String, ImportedDataStore.ListedService> web = Map.of("web", new ImportedDataStore.ListedService("0", 1, 10));
        for (int round = 0; round < 6; round++) {
            Peering peering = activePeering();
            long first = VIEWS.incrementAndGet();
            assertTrue(streamStatus.takeExportList(peering, first, List.of("web"), List.of(), List.of()));
            imported.applyServiceList(peering, first, web);
            imported.applyChunk(peering, "web", 10, "", null, List.of(upsert("web", 1, "v1", 10)), Instant.now());
            Peering current = store.find(peering.key()).orElseThrow();
            long older = VIEWS.incrementAndGet();
            long newer = VIEWS.incrementAndGet();
            int delay = round;

            // Two resyncs' lists in flight at once: an older one that drops web and a newer one naming it, taken and
            // applied in every interleaving the delays give. Whatever the order, the newer one decides.
            List<Object> outcomes = Race.run(List.of(
                    () -> {
                        Thread.sleep(delay * 3L);
                        if (!streamStatus.takeExportList(current, older, List.of(), List.of(), List.of())) {
                            return "refused";
                        }
                        return imported.applyServiceList(current, older, Map.of());
                    },
                    () -> {
                        Thread.sleep((5 - delay) * 3L);
                        assertTrue(streamStatus.takeExportList(current, newer, List.of("web"), List.of(), List.of()));
                        return imported.applyServiceList(current, newer, web);
                    }));
            outcomes.forEach(outcome -> assertFalse(outcome instanceof Throwable, String.valueOf(outcome)));

            assertEquals(List.of("web"), store.find(peering.key()).orElseThrow().liveness().importedServices(),
                    "round " + round + ": ImportedServices is the newer list's (" + outcomes + ")");
            // What the stream handler does when a head turns not exported: it must find nothing to purge.
            assertEquals(0, purges.purgeUnexported(peering.key(), "web", io.clusterpeering.domain.Deadline.after(Duration.ofSeconds(5))),
                    "round " + round + ": web's head still says exported (" + outcomes + ")");
            assertEquals(Set.of("web-1"), importedNow(peering, "web").keySet(),
                    "round " + round + ": web is still read (" + outcomes + ")");
        }
    }
}
