package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.ServiceInstance;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.map;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.string;

/**
 * The local service catalog of a partition (Consul's nodes, services and checks), and reads of what was
 * imported from a peer in the same shape. Nodes, instances and checks are separate items, so registrations
 * never read-modify-write a shared list. Every write advances the Consul index after it lands.
 */
@Singleton
public class CatalogStore {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;

    public CatalogStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
    }

    /**
     * Creates or updates a node (Consul's register without a service).
     *
     * @param partition the local partition
     */
    public void upsertNode(String partition, String node, String nodeId, String address, String datacenter,
                           Map<String, String> meta, Map<String, String> taggedAddresses) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":node", s(node));
        values.put(":nodeId", s(nodeId));
        values.put(":address", s(address));
        values.put(":datacenter", s(datacenter));
        values.put(":meta", map(meta));
        values.put(":tagged", map(taggedAddresses));
        upsert(CatalogItems.nodeKey(node), partition, "#node = :node, nodeId = if_not_exists(nodeId, :nodeId),"
                + " address = :address, datacenter = :datacenter, nodeMeta = :meta, taggedAddresses = :tagged", values);
    }

    /** Creates or updates a service instance on a node. */
    public void upsertInstance(String partition, String node, String serviceId, String service, List<String> tags,
                               String serviceAddress, int port, Map<String, String> meta) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":node", s(node));
        values.put(":serviceId", s(serviceId));
        values.put(":service", s(service));
        values.put(":tags", list(tags));
        values.put(":address", s(serviceAddress));
        values.put(":port", n(port));
        values.put(":meta", map(meta));
        upsert(CatalogItems.serviceKey(service, node, serviceId), partition, "#node = :node, serviceId = :serviceId,"
                + " service = :service, tags = :tags, serviceAddress = :address, port = :port, serviceMeta = :meta", values);
    }

    /** One UpdateItem that sets the fields and Consul's indexes (CreateIndex only the first time). */
    private void upsert(String sk, String partition, String set, Map<String, AttributeValue> values) {
        long modifyIndex = index.next();
        Map<String, AttributeValue> all = new HashMap<>(values);
        all.put(":index", n(modifyIndex));
        dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.key(CatalogItems.localPartition(partition), sk))
                .updateExpression("SET " + set + ", createIndex = if_not_exists(createIndex, :index), modifyIndex = :index")
                .expressionAttributeNames(Map.of("#node", "node"))
                .expressionAttributeValues(all));
        index.next();
    }

    /** Creates or updates a check (a node check when its service ID is empty). */
    public void upsertCheck(String partition, HealthCheck check) {
        long modifyIndex = index.next();
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(CatalogItems.localPartition(partition),
                CatalogItems.checkKey(check.node(), check.checkId())));
        item.put("check", CatalogItems.check(check));
        item.put("modifyIndex", n(modifyIndex));
        dynamoDb.putItem(r -> r.tableName(table).item(item));
        index.next();
    }

    /** Removes one service instance and its checks; nothing when there is none. */
    public void removeInstance(String partition, String node, String serviceId) {
        String pk = CatalogItems.localPartition(partition);
        for (Map<String, AttributeValue> item : query(pk, CatalogItems.SERVICE_PREFIX)) {
            if (node.equals(string(item, "node")) && serviceId.equals(string(item, "serviceId"))) {
                delete(pk, string(item, TableKeys.SK));
            }
        }
        for (HealthCheck check : nodeChecks(partition, node)) {
            if (serviceId.equals(check.serviceId())) {
                delete(pk, CatalogItems.checkKey(node, check.checkId()));
            }
        }
        index.next();
    }

    /**
     * A registered node's own fields, to tell whether a registration changes it.
     *
     * @return the node, or empty when it is not registered
     */
    public Optional<NodeFields> findNode(String partition, String node) {
        Map<String, AttributeValue> item = item(CatalogItems.localPartition(partition), CatalogItems.nodeKey(node));
        if (item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new NodeFields(string(item, "nodeId"), string(item, "address"), string(item, "datacenter"),
                Attributes.stringMap(item, "nodeMeta"), Attributes.stringMap(item, "taggedAddresses")));
    }

    /**
     * The service name of an instance registered on a node, by its ID (a query of the partition's service
     * items, filtered).
     */
    public Optional<String> serviceOf(String partition, String node, String serviceId) {
        return query(CatalogItems.localPartition(partition), CatalogItems.SERVICE_PREFIX).stream()
                .filter(item -> node.equals(string(item, "node")) && serviceId.equals(string(item, "serviceId")))
                .map(item -> string(item, "service")).findFirst();
    }

    /** One check of a node, if registered. */
    public Optional<HealthCheck> findCheck(String partition, String node, String checkId) {
        Map<String, AttributeValue> item = item(CatalogItems.localPartition(partition), CatalogItems.checkKey(node, checkId));
        return item.isEmpty() ? Optional.empty() : Optional.of(CatalogItems.check(item.get("check").m()));
    }

    /**
     * A node's own fields as stored.
     *
     * @param nodeId          its UUID, or empty
     * @param address         its address
     * @param datacenter      its datacenter
     * @param meta            its metadata
     * @param taggedAddresses its tagged addresses
     */
    public record NodeFields(String nodeId, String address, String datacenter, Map<String, String> meta,
                             Map<String, String> taggedAddresses) {
    }

    /** Removes one check; nothing when there is none. */
    public void removeCheck(String partition, String node, String checkId) {
        delete(CatalogItems.localPartition(partition), CatalogItems.checkKey(node, checkId));
        index.next();
    }

    /** Removes a node with all its instances and checks. */
    public void removeNode(String partition, String node) {
        String pk = CatalogItems.localPartition(partition);
        for (Map<String, AttributeValue> item : query(pk, CatalogItems.SERVICE_PREFIX)) {
            if (node.equals(string(item, "node"))) {
                delete(pk, string(item, TableKeys.SK));
            }
        }
        for (Map<String, AttributeValue> item : query(pk, CatalogItems.CHECK_PREFIX + node + "#")) {
            delete(pk, string(item, TableKeys.SK));
        }
        delete(pk, CatalogItems.nodeKey(node));
        index.next();
    }

    /**
     * The local instances of a service (all services when {@code service} is null), each with its node's
     * fields and its node and service checks.
     */
    public List<ServiceInstance> localInstances(String partition, String service) {
        String pk = CatalogItems.localPartition(partition);
        List<Map<String, AttributeValue>> items = query(pk, service == null ? CatalogItems.SERVICE_PREFIX
                : CatalogItems.serviceKeyPrefix(service));
        Map<String, Map<String, AttributeValue>> nodes = new HashMap<>();
        Map<String, List<HealthCheck>> checksByNode = new HashMap<>();
        List<ServiceInstance> instances = new ArrayList<>();
        for (Map<String, AttributeValue> item : items) {
            String node = string(item, "node");
            Map<String, AttributeValue> nodeItem = nodes.computeIfAbsent(node, n -> item(pk, CatalogItems.nodeKey(n)));
            List<HealthCheck> nodeChecks = checksByNode.computeIfAbsent(node, n -> nodeChecks(partition, n));
            String serviceId = string(item, "serviceId");
            List<HealthCheck> checks = nodeChecks.stream()
                    .filter(c -> c.serviceId().isEmpty() || c.serviceId().equals(serviceId)).toList();
            instances.add(CatalogItems.instance(item, nodeItem, checks));
        }
        return instances;
    }

    /**
     * What was imported from a peer, restricted to the instances its latest snapshot lists (items of services
     * it stopped exporting disappear from reads at once, before the stream handler deletes them).
     *
     * @param service one service, or null for all
     */
    public List<ServiceInstance> importedInstances(PeeringKey peer, String service, Set<String> currentKeys) {
        String pk = TableKeys.importedFrom(peer);
        List<ServiceInstance> instances = new ArrayList<>();
        for (Map<String, AttributeValue> item : query(pk, service == null ? CatalogItems.SERVICE_PREFIX
                : CatalogItems.serviceKeyPrefix(service))) {
            if (currentKeys.contains(string(item, TableKeys.SK))) {
                instances.add(CatalogItems.instance(item, null, null));
            }
        }
        return instances;
    }

    private List<HealthCheck> nodeChecks(String partition, String node) {
        return query(CatalogItems.localPartition(partition), CatalogItems.CHECK_PREFIX + node + "#").stream()
                .map(item -> CatalogItems.check(item.get("check").m())).toList();
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.key(pk, sk))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    private void delete(String pk, String sk) {
        dynamoDb.deleteItem(r -> r.tableName(table).key(TableKeys.key(pk, sk)));
    }

    /** Every item under the partition key whose sort key starts with the prefix, all pages. */
    List<Map<String, AttributeValue>> query(String pk, String skPrefix) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                    .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                    .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(skPrefix)));
            if (start != null) {
                request.exclusiveStartKey(start);
            }
            QueryResponse page = dynamoDb.query(request.build());
            items.addAll(page.items());
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return items;
    }
}
