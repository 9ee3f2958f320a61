package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CatalogStore#bulkLoad} writes what {@link CatalogStore#register} writes: the same registrations, made one
 * by one into one partition and bulk-loaded into another, leave the same items (keys, node copies, checks, pointers,
 * heads with counts, tags and digests, list entries), and the catalog reads of both answer alike.
 */
class CatalogBulkLoadTest {
    /** Index attributes: both number them per service in write order, so only their order is compared. */
    private static final Set<String> INDEXES = Set.of(CatalogItems.CREATE_INDEX, CatalogItems.MODIFY_INDEX,
            ConsulIndex.HEAD_VALUE);
    private static ApplicationContext context;
    private static CatalogStore catalog;
    private static CatalogReads reads;
    private static DynamoDbClient dynamoDb;
    private static String table;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("bulk"));
        catalog = context.getBean(CatalogStore.class);
        reads = context.getBean(CatalogReads.class);
        dynamoDb = context.getBean(DynamoDbClient.class);
        table = context.getBean(DynamoDbConfiguration.class).getTableName();
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    /** Instance {@code i} of a service on node {@code node-<i>}; node-0 also carries a node check. */
    private static CatalogStore.Registration registration(String service, int i) {
        String id = service + "-" + i;
        List<HealthCheck> checks = new ArrayList<>(List.of(new HealthCheck("node-" + i, id + "-http", "http",
                i % 3 == 0 ? "critical" : "passing", "", "HTTP GET /health", id, service, "http")));
        if (i == 0) {
            checks.add(new HealthCheck("node-0", "serfHealth", "Serf Health Status", "passing", "", "", "", "", ""));
        }
        return new CatalogStore.Registration("node-" + i, "", "10.0.0." + i, "dc1", Map.of("rack", "r" + (i % 2)),
                Map.of(), new CatalogStore.Instance(id, service, List.of("v" + (i % 2), "blue"), "", 8080 + i,
                Map.of("version", "1." + i)), checks);
    }

    @Test
    void bulkLoadWritesTheItemsRegisterWrites() throws Exception {
        List<CatalogStore.Registration> registrations = new ArrayList<>();
        for (String service : List.of("api", "web")) {
            for (int i = 0; i < 6; i++) {
                registrations.add(registration(service, i));
            }
        }
        for (CatalogStore.Registration registration : registrations) {
            catalog.register("registered", registration);
        }
        catalog.bulkLoad("loaded", registrations);

        Map<String, Map<String, AttributeValue>> registered = items("registered");
        Map<String, Map<String, AttributeValue>> loaded = items("loaded");
        assertEquals(registered.keySet(), loaded.keySet(), "the same keys");
        for (String sk : registered.keySet()) {
            assertEquals(withoutIndexes(registered.get(sk)), withoutIndexes(loaded.get(sk)), "item " + sk);
            for (String index : INDEXES) {
                assertEquals(registered.get(sk).containsKey(index), loaded.get(sk).containsKey(index),
                        "item " + sk + " has " + index + " in both or neither");
            }
            assertEquals(registered.get(sk).containsKey(ServiceHeads.CHANGED_AT),
                    loaded.get(sk).containsKey(ServiceHeads.CHANGED_AT), "item " + sk + " records when it moved in both or neither");
        }
        for (String service : List.of("api", "web")) {
            assertEquals(strip(reads.localInstances("registered", service).value()),
                    strip(reads.localInstances("loaded", service).value()), "the reads of " + service);
            CatalogReads.ServiceHead registeredHead = reads.localService("registered", service);
            CatalogReads.ServiceHead loadedHead = reads.localService("loaded", service);
            assertEquals(registeredHead.count(), loadedHead.count());
            assertEquals(registeredHead.digest(), loadedHead.digest());
            assertTrue(loadedHead.index() > 0, "a loaded service has an index");
        }
    }

    /** The partition's catalog items by sort key, without the partition key. */
    private static Map<String, Map<String, AttributeValue>> items(String partition) {
        Map<String, Map<String, AttributeValue>> items = new TreeMap<>();
        String pk = CatalogItems.localPartition(partition);
        Batches.query(dynamoDb, software.amazon.awssdk.services.dynamodb.model.QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk").expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk))).build(),
                page -> page.forEach(item -> {
                    Map<String, AttributeValue> copy = new HashMap<>(item);
                    copy.remove(TableKeys.PK);
                    items.put(item.get(TableKeys.SK).s(), copy);
                }));
        assertTrue(items.size() > 12, partition + " holds instances, nodes, pointers and heads: " + items.keySet());
        return items;
    }

    private static Map<String, AttributeValue> withoutIndexes(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> copy = new HashMap<>(item);
        INDEXES.forEach(copy::remove);
        // When a head last moved is the time of its write, different in each; that both record it is checked below.
        copy.remove(ServiceHeads.CHANGED_AT);
        return copy;
    }

    /** Instances as read, without the indexes (numbered per write in both). */
    private static List<String> strip(List<?> instances) {
        return instances.stream().map(Object::toString)
                .map(text -> text.replaceAll("(createIndex|modifyIndex)=\\d+", "$1=_")).toList();
    }
}
