package io.clusterpeering.store;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.store.CatalogItems.NodeItem;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.clusterpeering.store.Attributes.n;

/**
 * Benchmark setup only: writes a local catalog of many instances with BatchWriteItem, item for item what
 * {@link CatalogStore#register} would have written (instances with their node copies, pointers, nodes, each
 * service's head with its count, tag counts and digest, the service list), so a benchmark can start from 100,000
 * instances in minutes instead of registering them one transaction at a time. Not for tests of the store's rules.
 */
public final class CatalogBulkLoad {
    private CatalogBulkLoad() {
    }

    /**
     * One instance to load: instance {@code i} of the service runs on node {@code node-<i>}.
     *
     * @param node    its node's fields (the node is written once, for its first instance)
     * @param service the service
     * @param id      the service ID
     * @param tags    tags
     * @param port    port
     * @param meta    service meta
     * @param checks  its service checks
     */
    public record Loaded(CatalogStore.Registration node, String service, String id, List<String> tags, int port,
                         Map<String, String> meta, List<HealthCheck> checks) {
    }

    /** Writes the instances (all new) into the partition's catalog with 8 writers. */
    public static void load(DynamoDbClient dynamoDb, String table, String partition, List<Loaded> instances)
            throws Exception {
        String pk = CatalogItems.localPartition(partition);
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        Map<String, List<Map<String, AttributeValue>>> byService = new TreeMap<>();
        Map<String, Boolean> nodes = new HashMap<>();
        for (Loaded loaded : instances) {
            CatalogStore.Registration r = loaded.node();
            NodeItem node = new NodeItem(r.node(), r.nodeId(), r.address(), r.datacenter(), r.nodeMeta(),
                    r.taggedAddresses(), List.of(), 1, 1);
            if (nodes.put(r.node(), true) == null) {
                items.add(node.toItem(pk));
            }
            Map<String, AttributeValue> instance = CatalogItems.localInstance(pk, node, loaded.id(), loaded.service(),
                    loaded.tags(), "", loaded.port(), loaded.meta(), loaded.checks());
            byService.computeIfAbsent(loaded.service(), s -> new ArrayList<>()).add(instance);
            Map<String, AttributeValue> pointer = new HashMap<>(TableKeys.key(pk, CatalogItems.pointerKey(r.node(), loaded.id())));
            pointer.put(CatalogItems.SERVICE, Attributes.s(loaded.service()));
            items.add(pointer);
        }
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
                    true, true, 0, 0);
            Map<String, AttributeValue> headItem = new HashMap<>(TableKeys.key(pk, CatalogItems.headKey(service)));
            Map<String, AttributeValue> tagCounts = new HashMap<>();
            tags.forEach((tag, count) -> tagCounts.put(tag, n(count)));
            headItem.put(ConsulIndex.HEAD_VALUE, n(head.index()));
            headItem.put(ServiceHeads.COUNT, n(head.count()));
            headItem.put(ServiceHeads.TAGS, AttributeValue.fromM(tagCounts));
            headItem.put(ServiceHeads.DIGEST, Attributes.s(ServiceDigest.format(head.digest())));
            headItem.put(ServiceHeads.SERVICE, Attributes.s(service));
            headItem.put(ServiceHeads.EXPORTED, AttributeValue.fromBool(true));
            headItem.put(ServiceHeads.MAX_VERSION, n(0));
            items.add(headItem);
            items.add(head.listEntry().toItem(pk));
        });
        Map<String, AttributeValue> counter = new HashMap<>(TableKeys.key(pk, CatalogItems.LIST_PREFIX));
        counter.put(ConsulIndex.HEAD_VALUE, n(2));
        items.add(counter);

        ExecutorService writers = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> batches = new ArrayList<>();
            for (int from = 0; from < items.size(); from += Batches.WRITE_LIMIT) {
                List<WriteRequest> puts = items.subList(from, Math.min(items.size(), from + Batches.WRITE_LIMIT)).stream()
                        .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                        .toList();
                batches.add(writers.submit(() -> {
                    Map<String, List<WriteRequest>> pending = Map.of(table, puts);
                    while (!pending.isEmpty()) {
                        Map<String, List<WriteRequest>> request = pending;
                        BatchWriteItemResponse response = dynamoDb.batchWriteItem(b -> b.requestItems(request));
                        pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
                    }
                }));
            }
            for (Future<?> batch : batches) {
                batch.get();
            }
        } finally {
            writers.shutdownNow();
        }
    }
}
