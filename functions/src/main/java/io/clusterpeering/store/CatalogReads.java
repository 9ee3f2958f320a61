package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.store.ServiceHeads.Head;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.string;

/**
 * Reads of the service catalog, local and imported from a peer, in the shapes Consul answers with: a service's
 * instances (one query), the service list, a service's head (count, digest, index: what a resync compares), and the
 * reads an export makes (changed instances with their head in one snapshot, a service page by page). Layout in
 * {@link CatalogItems} and {@link ServiceHeads}; the writes are {@link CatalogStore}'s and {@link ImportedDataStore}'s.
 */
@Singleton
public class CatalogReads {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public CatalogReads(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /**
     * The local instances of a service, each with its node's fields and its node and service checks: one query
     * (paged by DynamoDB, 1 MB a page), and while the service's head names nodes that changed since their copies
     * were written (the stream is copying them), one BatchGetItem of those nodes, put over the copies.
     *
     * @return the instances and the largest ModifyIndex among them
     */
    public Indexed<List<ServiceInstance>> localInstances(String partition, String service) {
        return instances(CatalogItems.localPartition(partition), service);
    }

    /**
     * What was imported from a peer for one service, tombstones left out: one query (paged by DynamoDB).
     *
     * @return the instances and the largest ModifyIndex among them
     */
    public Indexed<List<ServiceInstance>> importedInstances(PeeringKey peer, String service) {
        return instances(TableKeys.importedFrom(peer), service);
    }

    private Indexed<List<ServiceInstance>> instances(String pk, String service) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, Long> staleNodes = new java.util.HashMap<>();
        long[] index = {0};
        String head = CatalogItems.headKey(service);
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                .filterExpression("attribute_not_exists(#deleted)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK, "#deleted", CatalogItems.DELETED))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(CatalogItems.serviceKeyPrefix(service))))
                .build(), page -> page.forEach(item -> {
                    if (head.equals(string(item, TableKeys.SK))) {
                        index[0] = Head.of(service, item).index();
                        staleNodes.putAll(ServiceHeads.staleNodes(item));
                    } else {
                        items.add(item);
                    }
                }));
        Map<String, CatalogItems.NodeItem> nodes = staleNodes.isEmpty() ? Map.of() : nodes(pk, staleNodes.keySet());
        List<ServiceInstance> instances = new ArrayList<>(items.size());
        for (Map<String, AttributeValue> item : items) {
            CatalogItems.NodeItem node = nodes.get(string(item, CatalogItems.NODE));
            instances.add(CatalogItems.instance(node != null && Attributes.number(item, CatalogItems.NODE_REV) < node.rev()
                    ? CatalogItems.withNode(item, node) : item));
        }
        return new Indexed<>(instances, index[0]);
    }

    /**
     * The nodes a head names as changed since their copies were written, as they are now (BatchGetItem, 100 a
     * call): a read puts them over the copies until the stream has copied them. Absent nodes are left out.
     */
    private Map<String, CatalogItems.NodeItem> nodes(String pk, java.util.Collection<String> names) {
        List<Map<String, AttributeValue>> keys = names.stream()
                .map(node -> TableKeys.key(pk, CatalogItems.nodeKey(node))).toList();
        Map<String, CatalogItems.NodeItem> nodes = new java.util.HashMap<>();
        for (Map<String, AttributeValue> item : Batches.get(dynamoDb, table, keys)) {
            CatalogItems.NodeItem node = CatalogItems.NodeItem.of(item);
            nodes.put(node.node(), node);
        }
        return nodes;
    }

    /**
     * One service as the service list shows it.
     *
     * @param service  its name
     * @param listed   whether the list shows it: it has instances and (imported) the peer still exports it
     * @param tags     the tags its instances carry, sorted
     * @param exported for an imported service, whether the peer still exports it (always true locally)
     */
    public record ServiceListing(String service, boolean listed, List<String> tags, boolean exported) {
    }

    /**
     * A service's head: what the resync compares.
     *
     * @param service its name
     * @param count   its live instances
     * @param digest  the {@link io.clusterpeering.domain.ServiceDigest} of its instances, as text
     * @param index     its Consul index
     * @param changedAt when it last changed, epoch milliseconds; 0 when never or not recorded
     */
    public record ServiceHead(String service, long count, String digest, long index, long changedAt) {
    }

    /**
     * A service imported from a peer, as its head says.
     *
     * @param head           its head here (index, count, digest, when it last moved)
     * @param appliedVersion the highest exporter version applied here (the exporter's Consul index space)
     * @param exported       whether the peer's latest service list still names it (false: hidden, being purged)
     */
    public record ImportedServiceHead(ServiceHead head, long appliedVersion, boolean exported) {
    }

    /**
     * The heads of every service imported from the peer that its service list holds: one query of the list entries
     * and one BatchGetItem (100 a call) of their heads; no instance is read.
     */
    public List<ImportedServiceHead> importedHeads(PeeringKey peer) {
        String pk = TableKeys.importedFrom(peer);
        List<String> services = listing(pk).value().stream().map(ServiceListing::service).toList();
        List<ImportedServiceHead> heads = new ArrayList<>();
        for (Map<String, AttributeValue> item : Batches.get(dynamoDb, table,
                services.stream().map(service -> TableKeys.key(pk, CatalogItems.headKey(service))).toList())) {
            Head head = Head.of(CatalogItems.serviceOfHead(string(item, TableKeys.SK)), item);
            heads.add(new ImportedServiceHead(head(head), head.maxVersion(), head.exported()));
        }
        heads.sort(java.util.Comparator.comparing(h -> h.head().service()));
        return heads;
    }

    /**
     * Every local service that ever had an instance, from the service list (one query over one small item per
     * service, no instance read), with the list's counter.
     */
    public Indexed<List<ServiceListing>> localServices(String partition) {
        return listing(CatalogItems.localPartition(partition));
    }

    /** Every service ever imported from the peer, from its service list, with the list's counter. */
    public Indexed<List<ServiceListing>> importedServices(PeeringKey peer) {
        return listing(TableKeys.importedFrom(peer));
    }

    /** The head of one service imported from a peer; an empty head (index 1, no instance) when there is none. */
    public ServiceHead importedService(PeeringKey peer, String service) {
        return head(Head.of(service, item(TableKeys.importedFrom(peer), CatalogItems.headKey(service))));
    }

    /** The head of one local service; an empty head (index 1, no instance) when it never had an instance. */
    public ServiceHead localService(String partition, String service) {
        return head(Head.of(service, item(CatalogItems.localPartition(partition), CatalogItems.headKey(service))));
    }

    /** The heads of some local services (BatchGetItem, 100 a call); services that never had an instance are left out. */
    public Map<String, ServiceHead> localServices(String partition, java.util.Collection<String> services) {
        String pk = CatalogItems.localPartition(partition);
        Map<String, ServiceHead> heads = new java.util.TreeMap<>();
        for (Map<String, AttributeValue> item : Batches.get(dynamoDb, table,
                services.stream().distinct().map(service -> TableKeys.key(pk, CatalogItems.headKey(service))).toList())) {
            String service = CatalogItems.serviceOfHead(string(item, TableKeys.SK));
            heads.put(service, head(Head.of(service, item)));
        }
        return heads;
    }

    private Indexed<List<ServiceListing>> listing(String pk) {
        List<ServiceListing> entries = new ArrayList<>();
        long[] listIndex = {0};
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(CatalogItems.LIST_PREFIX)))
                .build(), page -> page.forEach(item -> {
                    if (CatalogItems.serviceOfListEntry(string(item, TableKeys.SK)) == null) {
                        listIndex[0] = Attributes.number(item, ConsulIndex.HEAD_VALUE);
                    } else {
                        ServiceHeads.ListEntry entry = ServiceHeads.ListEntry.of(item);
                        entries.add(new ServiceListing(entry.service(), entry.listed(), entry.tags(), entry.exported()));
                    }
                }));
        return new Indexed<>(entries, listIndex[0]);
    }

    private static ServiceHead head(Head head) {
        return new ServiceHead(head.service(), head.count(),
                io.clusterpeering.domain.ServiceDigest.format(head.digest()), head.index(), head.changedAt());
    }

    /**
     * A local instance as it is now, for export, read together with its service's head in one snapshot.
     *
     * @param instance the instance in its exported form (checks folded) with its ModifyIndex, or null when it no
     *                 longer exists
     * @param version  the instance's ModifyIndex; for a removed one, the head's index at the read, which is at least
     *                 the index of the removal and below that of any later registration of the same ID
     */
    public record ExportedInstance(String service, String node, String serviceId, ServiceInstance instance, long version) {
    }

    /**
     * Reads instances of one local service for export, with the service's head, in snapshot reads of at most 99
     * instances each.
     *
     * @param instanceIds {@code <node>#<service id>} of each instance
     */
    public List<ExportedInstance> exportedInstances(String partition, String service, List<String> instanceIds) {
        String pk = CatalogItems.localPartition(partition);
        List<ExportedInstance> result = new ArrayList<>();
        for (int from = 0; from < instanceIds.size(); from += Batches.GET_LIMIT - 1) {
            List<String> ids = instanceIds.subList(from, Math.min(instanceIds.size(), from + Batches.GET_LIMIT - 1));
            List<Map<String, AttributeValue>> keys = new ArrayList<>();
            keys.add(TableKeys.key(pk, CatalogItems.headKey(service)));
            ids.forEach(id -> keys.add(TableKeys.key(pk, CatalogItems.serviceKeyPrefix(service) + id)));
            List<Map<String, AttributeValue>> read = Batches.snapshot(dynamoDb, table, keys);
            long headIndex = Head.of(service, read.get(0)).index();
            for (int i = 0; i < ids.size(); i++) {
                Map<String, AttributeValue> item = read.get(i + 1);
                String id = ids.get(i);
                int split = id.indexOf('#');
                if (item == null) {
                    result.add(new ExportedInstance(service, id.substring(0, split), id.substring(split + 1), null, headIndex));
                } else {
                    long version = Attributes.number(item, CatalogItems.MODIFY_INDEX);
                    result.add(new ExportedInstance(service, id.substring(0, split), id.substring(split + 1),
                            CatalogItems.exported(item), version));
                }
            }
        }
        return result;
    }

    /**
     * One page of a local service's instances in key order, for a chunked snapshot.
     *
     * @param afterId the {@code <node>#<service id>} the previous page ended with, or empty for the first page
     * @param limit   at most this many instances
     * @return the instances in exported form, each with its ModifyIndex as version, and whether more follow
     */
    public ExportPage exportPage(String partition, String service, String afterId, int limit) {
        String pk = CatalogItems.localPartition(partition);
        QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true).limit(limit)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(CatalogItems.serviceKeyPrefix(service))));
        // The head's key is the prefix itself: starting after it (or after the last instance read) skips it.
        request.exclusiveStartKey(TableKeys.key(pk, CatalogItems.serviceKeyPrefix(service) + afterId));
        QueryResponse response = dynamoDb.query(request.build());
        List<ExportedInstance> instances = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            ServiceInstance exported = CatalogItems.exported(item);
            instances.add(new ExportedInstance(service, exported.node(), exported.serviceId(), exported,
                    Attributes.number(item, CatalogItems.MODIFY_INDEX)));
        }
        return new ExportPage(instances, response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty());
    }

    /**
     * A page of {@link #exportPage}.
     *
     * @param instances the instances, in key order
     * @param more      whether more may follow
     */
    public record ExportPage(List<ExportedInstance> instances, boolean more) {
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        return Batches.item(dynamoDb, table, pk, sk);
    }
}
