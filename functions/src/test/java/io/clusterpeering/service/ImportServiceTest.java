package io.clusterpeering.service;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.peer.ReplicationMessages.ListedService;
import io.clusterpeering.peer.ReplicationMessages.ServiceChunk;
import io.clusterpeering.peer.ReplicationMessages.ServiceList;
import io.clusterpeering.peer.ReplicationMessages.ServiceUpdate;
import io.clusterpeering.store.CatalogReads;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.ImportFixtures;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalLong;

import static io.clusterpeering.support.ImportFixtures.upsert;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The importer's side of replication against DynamoDB Local, message by message as the peer sends them (decoded
 * records, no HTTP): a list names what is imported and asks for what differs; chunks fill a service; an update
 * makes a new service visible; and whatever the order of arrival, a message made from an older view of the peer's
 * exports never hides what a newer one showed.
 */
class ImportServiceTest {
    private static ApplicationContext context;
    private static ImportService importer;
    private static PeeringStore peerings;
    private static CatalogReads reads;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("import"));
        importer = context.getBean(ImportService.class);
        peerings = context.getBean(PeeringStore.class);
        reads = context.getBean(CatalogReads.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static ServiceList list(long viewedAt, String... services) {
        return new ServiceList(java.util.Arrays.stream(services).map(s -> new ListedService(s, "1", 1, 10)).toList(),
                List.of(), "peer.consul", List.of(), viewedAt);
    }

    private static List<String> importedServices(Peering peering) {
        return peerings.find(peering.key()).orElseThrow().liveness().importedServices();
    }

    private static List<String> instanceIds(Peering peering, String service) {
        return reads.importedInstances(peering.key(), service).value().stream().map(ServiceInstance::serviceId).toList();
    }

    @Test
    void aListAsksForWhatItLacksAndItsChunkMakesTheServiceReadable() {
        Peering peering = ImportFixtures.activePeering(peerings);
        assertEquals(List.of("web"), importer.receiveServiceList(peering, list(1_000, "web")),
                "a listed service we lack is asked for whole");
        assertEquals(List.of("web"), importedServices(peering));

        Peering current = peerings.find(peering.key()).orElseThrow();
        assertEquals(ImportedDataStore.Applied.CHANGED, importer.receiveChunk(current, new ServiceChunk("web", 10, "",
                null, List.of(upsert("web", 1, "v1", 10)), OptionalLong.of(System.currentTimeMillis()))));
        assertEquals(List.of("web-1"), instanceIds(current, "web"));
        assertEquals(ImportedDataStore.Applied.UNCHANGED, importer.receiveChunk(current, new ServiceChunk("web", 10, "",
                null, List.of(upsert("web", 1, "v1", 10)), OptionalLong.empty())), "the same chunk twice changes nothing");
    }

    @Test
    void anOlderListArrivingLateHidesNothingANewerOneShowed() {
        Peering peering = ImportFixtures.activePeering(peerings);
        importer.receiveServiceList(peering, list(2_000, "web", "api"));
        Peering current = peerings.find(peering.key()).orElseThrow();

        assertEquals(List.of(), importer.receiveServiceList(current, list(1_000)), "an older list is ignored");
        assertEquals(List.of("api", "web"), importedServices(peering));

        importer.receiveServiceList(current, list(3_000, "api"));
        assertEquals(List.of("api"), importedServices(peering), "a newer list drops web at once");
    }

    @Test
    void anUpdateShowsANewServiceUnlessANewerListAlreadyDecided() {
        Peering peering = ImportFixtures.activePeering(peerings);
        importer.receiveServiceList(peering, list(5_000));
        Peering current = peerings.find(peering.key()).orElseThrow();

        ServiceUpdate stale = new ServiceUpdate("db", List.of(upsert("db", 1, "v1", 7))).stamped(4_000, 4_000);
        assertEquals(ImportedDataStore.Applied.UNCHANGED, importer.receiveUpdate(current, stale),
                "viewed before the newest list, which did not name db");
        assertEquals(List.of(), importedServices(peering));
        assertEquals(List.of(), instanceIds(peering, "db"));

        ServiceUpdate fresh = new ServiceUpdate("db", List.of(upsert("db", 1, "v1", 8))).stamped(6_000, 6_000);
        assertEquals(ImportedDataStore.Applied.CHANGED, importer.receiveUpdate(current, fresh));
        assertEquals(List.of("db"), importedServices(peering), "the update made db visible");
        assertEquals(List.of("db-1"), instanceIds(peering, "db"));

        Peering after = peerings.find(peering.key()).orElseThrow();
        assertEquals(List.of(), importer.receiveServiceList(after, list(5_500)),
                "a list viewed before the update is older and ignored");
        assertEquals(List.of("db"), importedServices(peering));
        assertTrue(instanceIds(peering, "db").contains("db-1"));
    }
}
