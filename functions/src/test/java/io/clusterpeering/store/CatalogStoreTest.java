package io.clusterpeering.store;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.support.Race;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rules of the local catalog against DynamoDB Local, with races that really race: a service's head (count and
 * digest) always describes its instances, whatever registrations and removals run at once; an instance carries its
 * node as it is after the node changes; a service ID is unique per node (registered under another service name it
 * moves there, as Consul replaces it); a check must name an instance of its node.
 */
class CatalogStoreTest {
    private static ApplicationContext context;
    private static CatalogStore catalog;
    private static CatalogReads reads;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("catalog"));
        catalog = context.getBean(CatalogStore.class);
        reads = context.getBean(CatalogReads.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static String partition() {
        return "p" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static CatalogStore.Registration registration(String node, String address, String service, String id,
                                                          String tag) {
        return new CatalogStore.Registration(node, "", address, "dc1", Map.of(), Map.of(),
                new CatalogStore.Instance(id, service, List.of(tag), "", 8080, Map.of()),
                List.of(new HealthCheck(node, id + "-check", "check", "passing", "", "", id, service, "http")));
    }

    /** One field of each local instance of a service, as read. */
    private static List<String> each(String partition, String service,
                                     java.util.function.Function<ServiceInstance, String> field) {
        return reads.localInstances(partition, service).value().stream().map(field).toList();
    }

    /** The head's count and digest recomputed from the instances as read. */
    private static void assertHeadDescribesInstances(String partition, String service) {
        List<ServiceInstance> instances = reads.localInstances(partition, service).value();
        CatalogReads.ServiceHead head = reads.localService(partition, service);
        assertEquals(instances.size(), head.count(), service + ": the head counts its instances");
        long digest = ServiceDigest.EMPTY;
        for (ServiceInstance instance : reads.exportPage(partition, service, "", 10_000).instances().stream()
                .map(CatalogReads.ExportedInstance::instance).toList()) {
            digest += ServiceDigest.hash(instance);
        }
        assertEquals(ServiceDigest.format(digest), head.digest(), service + ": the head's digest is its instances'");
    }

    @Test
    void racingRegistrationsAndRemovalsLeaveAHeadThatDescribesTheService() throws Exception {
        String partition = partition();
        for (int i = 0; i < 10; i++) {
            catalog.register(partition, registration("node-" + i, "10.0.0." + i, "web", "web-" + i, "v1"));
        }
        List<Callable<Void>> racers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            racers.add(() -> {
                if (n % 2 == 0) {
                    catalog.removeInstance(partition, "node-" + n, "web-" + n);
                } else {
                    catalog.register(partition, registration("node-" + n, "10.0.0." + n, "web", "web-" + n, "v2"));
                }
                return null;
            });
            racers.add(() -> {
                catalog.register(partition, registration("node-new-" + n, "10.0.1." + n, "web", "web-new-" + n, "v1"));
                return null;
            });
        }
        Race.run(racers, 8).forEach(outcome -> assertFalse(outcome instanceof Throwable, String.valueOf(outcome)));

        assertEquals(15, reads.localInstances(partition, "web").value().size(), "10 added, 5 removed");
        assertHeadDescribesInstances(partition, "web");
    }

    /** A new partition where node-1 holds api-1 and db-1, then moves to 10.9.9.9 by api-1's registration. */
    private static String apiAndDbOnAMovedNode() {
        String partition = partition();
        catalog.register(partition, registration("node-1", "10.0.0.1", "api", "api-1", "v1"));
        catalog.register(partition, registration("node-1", "10.0.0.1", "db", "db-1", "v1"));
        catalog.register(partition, registration("node-1", "10.9.9.9", "api", "api-1", "v1"));
        return partition;
    }

    @Test
    void aChangedNodeIsCopiedIntoEachOfItsInstances() {
        String partition = apiAndDbOnAMovedNode();

        assertEquals("10.9.9.9", catalog.findNode(partition, "node-1").orElseThrow().address());
        assertEquals(List.of("10.9.9.9"), each(partition, "api", ServiceInstance::address));
        assertEquals(List.of("10.9.9.9"), each(partition, "db", ServiceInstance::address), "the other instance on the node follows");
        assertHeadDescribesInstances(partition, "api");
        assertHeadDescribesInstances(partition, "db");

        // The stream's part (no stream in this context): the copy into the other instance, as exported.
        assertEquals(1, catalog.refreshNodeCopies(partition, "node-1"));
        assertEquals(List.of("10.9.9.9"), reads.exportPage(partition, "db", "", 10).instances().stream()
                .map(i -> i.instance().address()).toList(), "the copy itself holds the node now");
        assertHeadDescribesInstances(partition, "db");
        assertEquals(0, catalog.refreshNodeCopies(partition, "node-1"), "done once");
    }

    /** The nodes a local service's head names as changed since their copies were written. */
    private static java.util.Set<String> namedNodes(String partition, String service) {
        var item = context.getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class).getItem(r -> r
                .tableName(context.getBean(io.clusterpeering.config.DynamoDbConfiguration.class).getTableName())
                .key(TableKeys.key(CatalogItems.localPartition(partition), CatalogItems.headKey(service)))
                .consistentRead(true)).item();
        return ServiceHeads.staleNodes(item).keySet();
    }

    @Test
    void aNodeChangeIsNamedOnItsServicesHeadsUntilCopiedOrItsLastInstanceThereGoes() {
        String partition = apiAndDbOnAMovedNode();
        assertEquals(java.util.Set.of("node-1"), namedNodes(partition, "api"));
        assertEquals(java.util.Set.of("node-1"), namedNodes(partition, "db"));

        catalog.removeInstance(partition, "node-1", "db-1");
        assertEquals(java.util.Set.of(), namedNodes(partition, "db"), "no instance of db is left on the node");
        assertEquals(java.util.Set.of("node-1"), namedNodes(partition, "api"), "api's copy is still to come");
        catalog.refreshNodeCopies(partition, "node-1");
        assertEquals(java.util.Set.of(), namedNodes(partition, "api"), "copied: the head names the node no more");
        assertHeadDescribesInstances(partition, "api");
    }

    @Test
    void aServiceIdRegisteredUnderAnotherNameMovesThere() {
        String partition = partition();
        catalog.register(partition, registration("node-1", "10.0.0.1", "old-name", "svc-1", "v1"));
        catalog.register(partition, registration("node-1", "10.0.0.1", "new-name", "svc-1", "v1"));

        assertEquals(List.of(), reads.localInstances(partition, "old-name").value(), "Consul replaces the instance");
        assertEquals(List.of("svc-1"), each(partition, "new-name", ServiceInstance::serviceId));
        assertEquals("new-name", catalog.serviceOf(partition, "node-1", "svc-1").orElseThrow());
        assertHeadDescribesInstances(partition, "old-name");
        assertHeadDescribesInstances(partition, "new-name");
    }

    @Test
    void aCheckMustNameAnInstanceOfItsNode() {
        String partition = partition();
        catalog.register(partition, registration("node-1", "10.0.0.1", "api", "api-1", "v1"));
        CatalogStore.Registration stray = new CatalogStore.Registration("node-1", "", "10.0.0.1", "dc1", Map.of(),
                Map.of(), null, List.of(new HealthCheck("node-1", "c", "c", "critical", "", "", "missing-1", "", "")));

        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> catalog.register(partition, stray));
        assertEquals("Checks: no service instance \"missing-1\" is registered on node \"node-1\"", refused.getMessage());
        assertTrue(catalog.findCheck(partition, "node-1", "c").isEmpty(), "nothing of the refused registration is stored");
    }

    @Test
    void removingANodeRemovesItsInstancesAndMovesTheirHeads() {
        String partition = partition();
        catalog.register(partition, registration("node-1", "10.0.0.1", "api", "api-1", "v1"));
        catalog.register(partition, registration("node-1", "10.0.0.1", "db", "db-1", "v1"));
        catalog.register(partition, registration("node-2", "10.0.0.2", "api", "api-2", "v1"));
        long before = reads.localService(partition, "api").index();

        catalog.removeNode(partition, "node-1");

        assertTrue(catalog.findNode(partition, "node-1").isEmpty());
        assertEquals(List.of("api-2"), each(partition, "api", ServiceInstance::serviceId));
        assertEquals(List.of(), reads.localInstances(partition, "db").value());
        assertTrue(reads.localService(partition, "api").index() > before, "a removal advances the service's index");
        assertHeadDescribesInstances(partition, "api");
        assertHeadDescribesInstances(partition, "db");
    }
}
