package io.clusterpeering.store;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.store.CatalogItems.NodeItem;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.clusterpeering.store.Attributes.n;

/**
 * The catalog's bulk load ({@link CatalogStore#bulkLoad}): writes many new registrations with BatchWriteItem,
 * item for item what {@link CatalogStore#register} writes for them one transaction at a time (instances with their
 * node copies and checks, pointers, nodes with their node checks, each service's head with its count, tag counts
 * and digest, its service-list entry, the list counter), so a catalog of 100,000 instances is written in minutes.
 * Indexes are numbered per service in load order, as successive registrations would number them.
 */
final class CatalogBulkLoad {
    /** BatchWriteItem calls in flight at once. */
    private static final int WRITERS = 8;

    private CatalogBulkLoad() {
    }

    /**
     * Writes the registrations (all new: nothing of them is stored yet, and no node is named with two different
     * sets of fields) into the partition's catalog.
     *
     * @throws IllegalArgumentException when a registration has no instance
     * @throws InterruptedException     when interrupted while the writers work
     */
    static void load(DynamoDbClient dynamoDb, String table, String partition, List<CatalogStore.Registration> registrations)
            throws InterruptedException {
        String pk = CatalogItems.localPartition(partition);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, List<Map<String, AttributeValue>>> byService = new TreeMap<>();
        Map<String, NodeItem> nodes = new LinkedHashMap<>();
        for (CatalogStore.Registration r : registrations) {
            CatalogStore.Instance instance = r.instance();
            if (instance == null) {
                throw new IllegalArgumentException("a bulk load registers instances: node " + r.node() + " has none");
            }
            List<HealthCheck> nodeChecks = r.checks().stream().filter(c -> c.serviceId().isEmpty()).toList();
            NodeItem node = nodes.computeIfAbsent(r.node(),
                    name -> CatalogStore.mergedNode(r, null, nodeChecks).withRev(1, 1));
            List<HealthCheck> serviceChecks = CatalogStore.mergedChecks(List.of(), r.checks().stream()
                    .filter(c -> c.serviceId().equals(instance.serviceId())).toList(), instance.service());
            byService.computeIfAbsent(instance.service(), s -> new ArrayList<>()).add(CatalogItems.localInstance(pk,
                    node, instance.serviceId(), instance.service(), instance.tags(), instance.address(), instance.port(),
                    instance.meta(), serviceChecks));
            Map<String, AttributeValue> pointer = new HashMap<>(TableKeys.key(pk, CatalogItems.pointerKey(r.node(),
                    instance.serviceId())));
            pointer.put(CatalogItems.SERVICE, Attributes.s(instance.service()));
            items.add(pointer);
        }
        nodes.values().forEach(node -> items.add(node.toItem(pk)));
        byService.forEach((service, serviceInstances) -> {
            long index = 1;
            long digest = ServiceDigest.EMPTY;
            Map<String, Long> tags = new TreeMap<>();
            for (Map<String, AttributeValue> instance : serviceInstances) {
                index++;
                instance.put(CatalogItems.CREATE_INDEX, n(index));
                instance.put(CatalogItems.MODIFY_INDEX, n(index));
                digest += ServiceDigest.hash(CatalogItems.exported(instance));
                CatalogItems.instance(instance).tags().forEach(tag -> tags.merge(tag, 1L, Long::sum));
                items.add(instance);
            }
            ServiceHeads.Head head = new ServiceHeads.Head(service, index + 1, serviceInstances.size(), tags, digest,
                    true, true, 0, 0, System.currentTimeMillis());
            Map<String, AttributeValue> headItem = new HashMap<>(TableKeys.key(pk, CatalogItems.headKey(service)));
            Map<String, AttributeValue> tagCounts = new HashMap<>();
            tags.forEach((tag, count) -> tagCounts.put(tag, n(count)));
            headItem.put(ConsulIndex.HEAD_VALUE, n(head.index()));
            headItem.put(ServiceHeads.COUNT, n(head.count()));
            headItem.put(ServiceHeads.CHANGED_AT, n(head.changedAt()));
            headItem.put(ServiceHeads.TAGS, AttributeValue.fromM(tagCounts));
            headItem.put(ServiceHeads.DIGEST, Attributes.s(ServiceDigest.format(head.digest())));
            headItem.put(ServiceHeads.SERVICE, Attributes.s(service));
            headItem.put(ServiceHeads.EXPORTED, AttributeValue.fromBool(true));
            headItem.put(ServiceHeads.MAX_VERSION, n(0));
            headItem.put(ServiceHeads.STALE_NODES, AttributeValue.fromM(Map.of()));
            items.add(headItem);
            items.add(head.listEntry().toItem(pk));
        });
        Map<String, AttributeValue> counter = new HashMap<>(TableKeys.key(pk, CatalogItems.LIST_PREFIX));
        counter.put(ConsulIndex.HEAD_VALUE, n(2));
        items.add(counter);

        Batches.putAll(dynamoDb, table, items, WRITERS);
    }
}
