package io.clusterpeering.store;

import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.domain.ServiceInstance;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.Update;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;

/**
 * The rule that keeps a service's head true: every change of a service's instance items is one transaction
 * that also moves the service's head ({@code HEAD#<service>}) from the index it was read at to the next, with the
 * head's instance count, tag counts and {@link ServiceDigest digest} updated by exactly that change. A writer
 * that read a head another writer has moved since loses ({@link Outcome#HEAD_MOVED}) and reads again, so the
 * writers of one service are serialized and a head always describes its items. The same transaction rewrites
 * the service's list entry ({@code LIST#<service>}) when what it says changes, and advances the service list
 * counter ({@code LIST#}) when what the list shows changes (a service appears or goes, or its set of tags changes). Used for the local catalog and for what is imported from each peer.
 */
final class ServiceHeads {
    /** Instance changes per transaction: DynamoDB's 100 items, less the head, the list counter and the caller's checks. */
    static final int CHANGES_PER_TRANSACTION = 90;

    static final String COUNT = "count";
    static final String TAGS = "tags";
    static final String DIGEST = "digest";
    static final String SERVICE = "service";
    /** Imported heads: whether the peer's latest service list names the service. */
    static final String EXPORTED = "exported";
    /** Imported heads: the highest exporter version applied, and the version a resync found the service behind at. */
    static final String MAX_VERSION = "maxVer";
    static final String SUSPECT = "suspect";
    /** When the head last moved, epoch milliseconds (absent on heads written before it was recorded). */
    static final String CHANGED_AT = "changedAt";
    /**
     * Local heads: the nodes that changed since their copies in the service's instances were written, each with
     * the node revision its copy waits for (see {@link #markNodeChanged}).
     */
    static final String STALE_NODES = "staleNodes";
    /** List entries: whether the service has live instances. */
    static final String HAS_INSTANCES = "hasInstances";

    private ServiceHeads() {
    }

    /**
     * A service's head as stored.
     *
     * @param service  the service name
     * @param index    its Consul index (0 before the first write)
     * @param count    live instances (tombstones aside)
     * @param tags     how many live instances carry each tag
     * @param digest   the sum of the live instances' hashes
     * @param exported   for imported heads, whether the peer still exports the service (always true locally)
     * @param stored     whether the head item exists
     * @param maxVersion for imported heads, the highest exporter version applied to the service
     * @param suspect    for imported heads, the exporter version at which a resync last found the service behind
     * @param changedAt  when the head last moved, epoch milliseconds; 0 when never or not recorded
     */
    record Head(String service, long index, long count, Map<String, Long> tags, long digest, boolean exported,
                boolean stored, long maxVersion, long suspect, long changedAt) {
        Head {
            tags = Map.copyOf(tags);
        }

        /** A service never written: its index reads as 1 (Consul never answers 0), so its first write is 2. */
        static Head empty(String service) {
            return new Head(service, 1, 0, Map.of(), ServiceDigest.EMPTY, true, false, 0, 0, 0);
        }

        static Head of(String service, Map<String, AttributeValue> item) {
            if (item == null || item.isEmpty()) {
                return empty(service);
            }
            Map<String, Long> tags = new TreeMap<>();
            AttributeValue tagCounts = item.get(TAGS);
            if (tagCounts != null && tagCounts.hasM()) {
                tagCounts.m().forEach((tag, count) -> tags.put(tag, Long.parseLong(count.n())));
            }
            AttributeValue exported = item.get(EXPORTED);
            String digest = Attributes.string(item, DIGEST);
            return new Head(service, Attributes.number(item, ConsulIndex.HEAD_VALUE), Attributes.number(item, COUNT), tags,
                    digest == null ? ServiceDigest.EMPTY : ServiceDigest.parse(digest),
                    exported == null || Boolean.TRUE.equals(exported.bool()), true,
                    Attributes.number(item, MAX_VERSION), Attributes.number(item, SUSPECT),
                    Attributes.number(item, CHANGED_AT));
        }

        /** Whether the service list shows it: it has live instances and (imported) is still exported. */
        boolean listed() {
            return count > 0 && exported;
        }

        /** The tags the service list shows for it, sorted. */
        List<String> listedTags() {
            return tags.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).sorted().toList();
        }

        /** What the service's list entry says of it. */
        ListEntry listEntry() {
            return new ListEntry(service, exported, count > 0, listedTags());
        }
    }

    /**
     * A service's entry in the service list ({@code LIST#<service>}): written only when what it says changes, so
     * listing services reads one small item per service and no instance.
     *
     * @param service      the service name
     * @param exported     for an imported service, whether the peer still exports it (always true locally)
     * @param hasInstances whether it has live instances
     * @param tags         the tags its instances carry, sorted
     */
    record ListEntry(String service, boolean exported, boolean hasInstances, List<String> tags) {
        ListEntry {
            tags = List.copyOf(tags);
        }

        static ListEntry of(Map<String, AttributeValue> item) {
            AttributeValue exported = item.get(EXPORTED);
            AttributeValue has = item.get(HAS_INSTANCES);
            return new ListEntry(Attributes.string(item, SERVICE), exported == null || Boolean.TRUE.equals(exported.bool()),
                    has != null && Boolean.TRUE.equals(has.bool()), Attributes.strings(item, TAGS));
        }

        Map<String, AttributeValue> toItem(String pk) {
            Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk, CatalogItems.listKey(service)));
            item.put(SERVICE, s(service));
            item.put(EXPORTED, AttributeValue.fromBool(exported));
            item.put(HAS_INSTANCES, AttributeValue.fromBool(hasInstances));
            item.put(TAGS, Attributes.list(tags));
            return item;
        }

        /** Whether the service list shows it. */
        boolean listed() {
            return exported && hasInstances;
        }
    }

    /**
     * One instance item's change.
     *
     * @param key    the item's key
     * @param before the item as read (under the same head index), or null when absent
     * @param after  the item to write, or null to delete it
     */
    record Change(Map<String, AttributeValue> key, Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
    }

    /** What a transaction did. */
    enum Outcome {
        /** Written. */
        WRITTEN,
        /** Another writer moved the head (or held it) since it was read: read again and retry. */
        HEAD_MOVED,
        /** One of the caller's own conditions failed: nothing was written. */
        CHECK_FAILED
    }

    /**
     * The transaction items of one step: the head moved to {@code head.index + 1} (conditionally on its read index),
     * each change written with that index as its ModifyIndex, the list counter advanced when the list changes.
     *
     * @param pk          the collection's partition key
     * @param head        the head as read
     * @param changes     at most {@link #CHANGES_PER_TRANSACTION} changes, distinct keys
     * @param exported    the head's exported flag after this step
     * @param applied     for an imported service, the highest exporter version this step applies (0 for none)
     * @return the step's items (head first) and the head after it
     */
    static Step step(String table, String pk, Head head, List<Change> changes, boolean exported, long applied) {
        long newIndex = head.index() + 1;
        long count = head.count();
        long digest = head.digest();
        Map<String, Long> tags = new TreeMap<>(head.tags());
        List<TransactWriteItem> writes = new ArrayList<>();
        for (Change change : changes) {
            ServiceInstance before = visible(change.before());
            ServiceInstance after = visible(change.after());
            if (before != null) {
                count--;
                digest -= ServiceDigest.hash(before);
                before.tags().forEach(tag -> tags.merge(tag, -1L, Long::sum));
            }
            if (after != null) {
                count++;
                digest += ServiceDigest.hash(after);
                after.tags().forEach(tag -> tags.merge(tag, 1L, Long::sum));
            }
            if (change.after() == null) {
                writes.add(TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(change.key()).build()).build());
            } else {
                Map<String, AttributeValue> item = new HashMap<>(change.after());
                boolean existed = change.before() != null && !CatalogItems.isTombstone(change.before());
                item.put(CatalogItems.CREATE_INDEX, existed && change.before().containsKey(CatalogItems.CREATE_INDEX)
                        ? change.before().get(CatalogItems.CREATE_INDEX) : n(newIndex));
                item.put(CatalogItems.MODIFY_INDEX, n(newIndex));
                writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build());
            }
        }
        tags.values().removeIf(value -> value <= 0);
        Head after = new Head(head.service(), newIndex, count, tags, digest, exported, true,
                Math.max(head.maxVersion(), applied), head.suspect(), System.currentTimeMillis());
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(headWrite(table, pk, head, after));
        if (!head.stored() || !head.listEntry().equals(after.listEntry())) {
            items.add(TransactWriteItem.builder().put(Put.builder().tableName(table)
                    .item(after.listEntry().toItem(pk)).build()).build());
        }
        boolean listMoved = head.listed() != after.listed() || (after.listed() && !head.listedTags().equals(after.listedTags()));
        items.addAll(writes);
        return new Step(items, after, listMoved);
    }

    /**
     * One service's part of a transaction, and the head it leaves.
     *
     * @param items     the head's write first, then the list entry (when it changes), then the instance writes
     * @param after     the head after the transaction
     * @param listMoved whether what the service list shows changed (its counter must advance)
     */
    record Step(List<TransactWriteItem> items, Head after, boolean listMoved) {
    }

    /**
     * The items of one transaction over steps of services of one collection: each step's items in order (so the
     * first step's head is at position 0), then one advance of the service list counter when any step moved the
     * list (a transaction names an item once).
     */
    static List<TransactWriteItem> transaction(String table, String pk, Step... steps) {
        List<TransactWriteItem> items = new ArrayList<>();
        boolean listMoved = false;
        for (Step step : steps) {
            items.addAll(step.items());
            listMoved |= step.listMoved();
        }
        if (listMoved) {
            items.add(TransactWriteItem.builder().update(Update.builder().tableName(table)
                    .key(TableKeys.key(pk, CatalogItems.LIST_PREFIX))
                    .updateExpression(ConsulIndex.ADVANCE)
                    .expressionAttributeNames(Map.of("#value", ConsulIndex.HEAD_VALUE))
                    .expressionAttributeValues(Map.of(":one", n(1))).build()).build());
        }
        return items;
    }

    private static TransactWriteItem headWrite(String table, String pk, Head before, Head after) {
        Map<String, AttributeValue> tagCounts = new HashMap<>();
        after.tags().forEach((tag, count) -> tagCounts.put(tag, n(count)));
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":index", n(after.index()));
        values.put(":count", n(after.count()));
        values.put(":tags", AttributeValue.fromM(tagCounts));
        values.put(":digest", s(ServiceDigest.format(after.digest())));
        values.put(":service", s(after.service()));
        values.put(":exported", AttributeValue.fromBool(after.exported()));
        values.put(":maxVersion", n(after.maxVersion()));
        values.put(":changedAt", n(after.changedAt()));
        Map<String, String> names = new HashMap<>(Map.of("#index", ConsulIndex.HEAD_VALUE, "#count", COUNT, "#tags", TAGS,
                "#digest", DIGEST, "#service", SERVICE, "#exported", EXPORTED, "#maxVersion", MAX_VERSION,
                "#changedAt", CHANGED_AT));
        String condition;
        if (before.stored()) {
            condition = "#index = :read";
            values.put(":read", n(before.index()));
        } else {
            condition = "attribute_not_exists(#pk)";
            names.put("#pk", TableKeys.PK);
        }
        String set = "SET #index = :index, #count = :count, #tags = :tags, #digest = :digest,"
                + " #service = :service, #exported = :exported, #maxVersion = :maxVersion, #changedAt = :changedAt";
        if (pk.startsWith(CatalogItems.localPartition(""))) {
            // A local head carries its (empty) map of changed nodes, so announcing one is a single UpdateItem.
            set += ", #stale = if_not_exists(#stale, :noStale)";
            names.put("#stale", STALE_NODES);
            values.put(":noStale", AttributeValue.fromM(Map.of()));
        }
        return TransactWriteItem.builder().update(Update.builder().tableName(table)
                .key(TableKeys.key(pk, CatalogItems.headKey(after.service())))
                .updateExpression(set)
                .conditionExpression(condition)
                .expressionAttributeNames(names).expressionAttributeValues(values).build()).build();
    }

    /**
     * The nodes a local head names as changed since their copies in its instances were written, with the revision
     * each copy waits for; empty for a head without any (and for imported heads).
     */
    static Map<String, Long> staleNodes(Map<String, AttributeValue> head) {
        AttributeValue stale = head == null ? null : head.get(STALE_NODES);
        if (stale == null || !stale.hasM()) {
            return Map.of();
        }
        Map<String, Long> nodes = new TreeMap<>();
        stale.m().forEach((node, rev) -> nodes.put(node, Long.parseLong(rev.n())));
        return nodes;
    }

    /**
     * Rule: a node's change is announced on the head of each service with an instance on it before the change
     * is written, so the head names every node whose copies in its instances may be behind (reads put the node as
     * it is over those copies) and its index moves (blocking queries on the service wake). Moves the head's index
     * by one without reading it (a writer that read the head before loses it and reads again) and records the
     * revision, unless the head already waits for this one or a newer one. One UpdateItem, two when the head has
     * no such map yet; nothing when the head is gone.
     */
    static void markNodeChanged(DynamoDbClient dynamoDb, String table, String pk, String service, String node, long rev) {
        Map<String, AttributeValue> key = TableKeys.key(pk, CatalogItems.headKey(service));
        Map<String, String> names = Map.of("#index", ConsulIndex.HEAD_VALUE, "#stale", STALE_NODES, "#node", node,
                "#changedAt", CHANGED_AT);
        Map<String, AttributeValue> values = Map.of(":one", n(1), ":rev", n(rev),
                ":now", n(System.currentTimeMillis()));
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                dynamoDb.updateItem(r -> r.tableName(table).key(key)
                        .updateExpression("SET #index = #index + :one, #changedAt = :now, #stale.#node = :rev")
                        .conditionExpression("attribute_exists(#stale) AND (attribute_not_exists(#stale.#node)"
                                + " OR #stale.#node < :rev)")
                        .expressionAttributeNames(names).expressionAttributeValues(values)
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                return;
            } catch (ConditionalCheckFailedException e) {
                Map<String, AttributeValue> old = e.hasItem() ? e.item() : Map.of();
                if (old.isEmpty() || staleNodes(old).getOrDefault(node, 0L) >= rev) {
                    return;
                }
            }
            try {
                dynamoDb.updateItem(r -> r.tableName(table).key(key)
                        .updateExpression("SET #index = #index + :one, #changedAt = :now, #stale = :stale")
                        .conditionExpression("attribute_exists(#index) AND attribute_not_exists(#stale)")
                        .expressionAttributeNames(Map.of("#index", ConsulIndex.HEAD_VALUE, "#stale", STALE_NODES,
                                "#changedAt", CHANGED_AT))
                        .expressionAttributeValues(Map.of(":one", n(1), ":now", values.get(":now"),
                                ":stale", AttributeValue.fromM(Map.of(node, n(rev))))));
                return;
            } catch (ConditionalCheckFailedException e) {
                // Gone, or another writer added the map meanwhile: try the first form again.
            }
        }
    }

    /**
     * Rule: a head stops naming a node once the node's revision {@code rev} (or a newer one) is copied into all
     * the service's instances on it; a newer announcement stays. One UpdateItem; nothing when it no longer names it.
     */
    static void clearNodeChanged(DynamoDbClient dynamoDb, String table, String pk, String service, String node, long rev) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.key(pk, CatalogItems.headKey(service)))
                    .updateExpression("REMOVE #stale.#node")
                    .conditionExpression("#stale.#node <= :rev")
                    .expressionAttributeNames(Map.of("#stale", STALE_NODES, "#node", node))
                    .expressionAttributeValues(Map.of(":rev", n(rev))));
        } catch (ConditionalCheckFailedException e) {
            // Not named, or named for a newer change whose copy clears it.
        }
    }

    /** The exported form of a live instance item, or null for none or a tombstone. */
    static ServiceInstance visible(Map<String, AttributeValue> item) {
        return item == null || CatalogItems.isTombstone(item) ? null : CatalogItems.exported(item);
    }

    /** A condition check on another item, for the caller's own rules (a node's revision, a peering's state). */
    static TransactWriteItem check(String table, Map<String, AttributeValue> key, String condition,
                                   Map<String, String> names, Map<String, AttributeValue> values) {
        ConditionCheck.Builder check = ConditionCheck.builder().tableName(table).key(key).conditionExpression(condition)
                .expressionAttributeNames(names);
        if (!values.isEmpty()) {
            check.expressionAttributeValues(values);
        }
        return TransactWriteItem.builder().conditionCheck(check.build()).build();
    }

    /**
     * Runs one transaction. A failed condition at one of {@code headPositions}, or a conflict with another
     * transaction anywhere, is {@link Outcome#HEAD_MOVED}; a failed condition elsewhere is
     * {@link Outcome#CHECK_FAILED}.
     */
    static Outcome run(DynamoDbClient dynamoDb, List<TransactWriteItem> items, Set<Integer> headPositions) {
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(items));
            return Outcome.WRITTEN;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            boolean conflict = false;
            for (int i = 0; i < reasons.size(); i++) {
                String code = reasons.get(i).code();
                if ("ConditionalCheckFailed".equals(code) && !headPositions.contains(i)) {
                    return Outcome.CHECK_FAILED;
                }
                if ("ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code)) {
                    conflict = true;
                }
            }
            if (conflict) {
                return Outcome.HEAD_MOVED;
            }
            throw e;
        }
    }
}
