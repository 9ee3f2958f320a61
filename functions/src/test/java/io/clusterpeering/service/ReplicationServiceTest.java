package io.clusterpeering.service;

import io.clusterpeering.acl.Caller;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.support.TestDynamoDb;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the exporter sends where, on DynamoDB Local without a peer: the partition's exports as Consul computes
 * them from its exported-services entry (a wildcard expanded to the local services with instances, an exact entry
 * beating the wildcard, Consul's own service never exported, a service without instances not listed by the
 * wildcard), and the index a blocking read of them waits on moving with the entry and with the service list.
 */
class ReplicationServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApplicationContext context;
    private static ReplicationService replication;
    private static ConfigEntryService configEntries;
    private static CatalogStore catalog;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("replication"));
        replication = context.getBean(ReplicationService.class);
        configEntries = context.getBean(ConfigEntryService.class);
        catalog = context.getBean(CatalogStore.class);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static void register(String partition, String service, String id) {
        catalog.register(partition, new CatalogStore.Registration("node-" + id, "", "10.0.0.1", "dc1", Map.of(), Map.of(),
                new CatalogStore.Instance(id, service, List.of(), "", 8080, Map.of()),
                List.of(new HealthCheck("node-" + id, id + "-check", "check", "passing", "", "", id, service, "http"))));
    }

    /** Writes the partition's exported-services entry with these Services (JSON objects, comma-separated). */
    private static void export(String partition, String services) throws Exception {
        Map<String, Object> entry = JSON.readValue("{\"Kind\":\"exported-services\",\"Name\":\"" + partition
                + "\",\"Services\":[" + services + "]}", new TypeReference<>() { });
        configEntries.put(partition, entry, Caller.unrestricted());
    }

    @Test
    void theWildcardExportsEveryServiceWithInstancesButConsulAndAnExactEntryBeatsIt() throws Exception {
        String partition = "p" + UUID.randomUUID().toString().substring(0, 8);
        register(partition, "web", "web-1");
        register(partition, "api", "api-1");
        register(partition, "consul", "consul-1");
        register(partition, "gone", "gone-1");
        catalog.removeInstance(partition, "node-gone-1", "gone-1");

        export(partition, "{\"Name\":\"*\",\"Consumers\":[{\"Peer\":\"peer-a\"}]},"
                + "{\"Name\":\"web\",\"Consumers\":[{\"Peer\":\"peer-b\"}]},"
                + "{\"Name\":\"consul\",\"Consumers\":[{\"Peer\":\"peer-b\"}]}");

        assertEquals(Map.of("api", List.of("peer-a"), "web", List.of("peer-b")), replication.exports(partition),
                "web is exported by its own entry only; consul never; gone has no instance left");
    }

    @Test
    void theExportsIndexMovesWithTheEntryAndWithTheServiceList() throws Exception {
        String partition = "p" + UUID.randomUUID().toString().substring(0, 8);
        register(partition, "web", "web-1");
        export(partition, "{\"Name\":\"*\",\"Consumers\":[{\"Peer\":\"peer-a\"}]}");
        long first = replication.exportsWithIndex(partition).index();

        register(partition, "api", "api-1");
        var afterNewService = replication.exportsWithIndex(partition);
        assertTrue(afterNewService.index() > first, "a new service behind the wildcard moves the index");
        assertEquals(Map.of("api", List.of("peer-a"), "web", List.of("peer-a")), afterNewService.value());

        export(partition, "{\"Name\":\"web\",\"Consumers\":[{\"Peer\":\"peer-a\"}]}");
        var afterEntry = replication.exportsWithIndex(partition);
        assertTrue(afterEntry.index() > afterNewService.index(), "a rewritten entry moves the index");
        assertEquals(Map.of("web", List.of("peer-a")), afterEntry.value());
    }
}
