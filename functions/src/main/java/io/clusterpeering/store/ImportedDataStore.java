package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.PeeringKey;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.ServiceInstance;
import software.amazon.awssdk.services.dynamodb.model.ConditionCheck;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;

/**
 * Everything imported from one peer, kept under one partition key per peer
 * ({@code IMPORTED#<partition>#<peer name>}) so that a purge is a query plus batched deletes: the peer's trust
 * bundle (its CA roots), the service instances it exports to us (each with its folded overall check), and the
 * manifest of its latest snapshot. Only the stream handler deletes here.
 */
@Singleton
public class ImportedDataStore {
    /** DynamoDB's limit of items in one BatchWriteItem call. */
    static final int BATCH_LIMIT = 25;
    /** Puts per transaction: DynamoDB's limit of 100 items, less the peering row's condition check. */
    private static final int TRANSACTION_PUTS = 99;
    private static final String TRUST_BUNDLE_SK = "TRUST_BUNDLE#roots";
    private static final int MAX_UNPROCESSED_RETRIES = 8;

    private static final String MANIFEST_SK = "MANIFEST";

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;
    private final CatalogStore catalog;

    public ImportedDataStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index,
                             CatalogStore catalog) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
        this.catalog = catalog;
    }

    /**
     * What the peer's latest snapshot lists.
     *
     * @param services     the service names it exports to us
     * @param instanceKeys the sort keys of the instance items it holds
     * @param seq          its sequence number
     */
    public record Manifest(List<String> services, Set<String> instanceKeys, long seq) {
        /** Before the first snapshot. */
        public static final Manifest EMPTY = new Manifest(List.of(), Set.of(), 0);
    }

    /** The peer's latest snapshot manifest, or {@link Manifest#EMPTY}. */
    public Manifest manifest(PeeringKey peer) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table)
                .key(TableKeys.key(TableKeys.importedFrom(peer), MANIFEST_SK)).consistentRead(true)).item();
        if (item == null || item.isEmpty()) {
            return Manifest.EMPTY;
        }
        return new Manifest(Attributes.strings(item, "services"), new HashSet<>(Attributes.strings(item, "instanceKeys")),
                Attributes.number(item, "seq"));
    }

    /** What applying a snapshot did. */
    public enum Applied {
        /** Something was written. */
        CHANGED,
        /** The snapshot matched what was already stored. */
        UNCHANGED,
        /** Older than the last snapshot applied, or the peering is no longer connected: nothing was written. */
        REFUSED
    }

    /**
     * Applies a peer's snapshot of what it exports to us: writes the instances that are new or changed and
     * then the manifest that lists them. Every write is a transaction that also checks the peering row is still
     * connected with the same ID, so a snapshot that arrives while the peering is being deleted or terminated
     * writes nothing the purge could miss. Instances the snapshot no longer holds stay until the stream handler
     * deletes them ({@link #purgeUnlisted}); reads already skip them. Applying the same snapshot twice writes
     * nothing.
     *
     * @param peering   the local peering (partition, name, ID)
     * @param services  the exported service names
     * @param instances the instances, each with its one overall check
     * @param seq       the snapshot's sequence number (the exporter's clock, in milliseconds)
     * @return what happened
     */
    public Applied applySnapshot(Peering peering, List<String> services, List<ServiceInstance> instances, long seq,
                                 Instant at) {
        PeeringKey peer = peering.key();
        Manifest current = manifest(peer);
        if (seq <= current.seq()) {
            return Applied.REFUSED;
        }
        String pk = TableKeys.importedFrom(peer);
        Map<String, Map<String, AttributeValue>> existing = new HashMap<>();
        for (Map<String, AttributeValue> item : catalog.query(pk, CatalogItems.SERVICE_PREFIX)) {
            existing.put(Attributes.string(item, TableKeys.SK), item);
        }
        List<TransactWriteItem> writes = new ArrayList<>();
        Set<String> keys = new TreeSet<>();
        for (ServiceInstance instance : instances) {
            Map<String, AttributeValue> item = CatalogItems.importedInstance(pk, instance);
            String sk = Attributes.string(item, TableKeys.SK);
            keys.add(sk);
            Map<String, AttributeValue> before = existing.get(sk);
            if (before != null && sameContent(before, item)) {
                continue;
            }
            long modifyIndex = index.next();
            item.put("createIndex", before == null ? n(modifyIndex) : before.get("createIndex"));
            item.put("modifyIndex", n(modifyIndex));
            writes.add(TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build());
        }
        List<String> sortedServices = services.stream().sorted().toList();
        if (writes.isEmpty() && keys.equals(current.instanceKeys()) && sortedServices.equals(current.services())) {
            return Applied.UNCHANGED;
        }
        for (int from = 0; from < writes.size(); from += TRANSACTION_PUTS) {
            if (!whileConnected(peering, writes.subList(from, Math.min(writes.size(), from + TRANSACTION_PUTS)))) {
                return Applied.REFUSED;
            }
        }
        Map<String, AttributeValue> manifest = new HashMap<>(TableKeys.key(pk, MANIFEST_SK));
        manifest.put("services", list(sortedServices));
        manifest.put("instanceKeys", list(List.copyOf(keys)));
        manifest.put("seq", n(seq));
        manifest.put("updatedAt", Attributes.instant(at));
        boolean written = whileConnected(peering, List.of(TransactWriteItem.builder().put(Put.builder()
                .tableName(table).item(manifest)
                .conditionExpression("attribute_not_exists(#seq) OR #seq < :seq")
                .expressionAttributeNames(Map.of("#seq", "seq"))
                .expressionAttributeValues(Map.of(":seq", n(seq))).build()).build()));
        index.next();
        return written ? Applied.CHANGED : Applied.REFUSED;
    }

    /**
     * Runs the writes in one transaction together with a check that the peering row still has this ID and is
     * ESTABLISHING or ACTIVE. @return false when the check (or a write's own condition) failed
     */
    private boolean whileConnected(Peering peering, List<TransactWriteItem> writes) {
        List<TransactWriteItem> all = new ArrayList<>(writes);
        all.add(TransactWriteItem.builder().conditionCheck(ConditionCheck.builder().tableName(table)
                .key(TableKeys.peering(peering.key()))
                .conditionExpression("#id = :id AND #state IN (:establishing, :active)")
                .expressionAttributeNames(Map.of("#id", "id", "#state", "state"))
                .expressionAttributeValues(Map.of(":id", s(peering.id()),
                        ":establishing", s(PeeringState.ESTABLISHING.name()), ":active", s(PeeringState.ACTIVE.name())))
                .build()).build());
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(all));
            return true;
        } catch (TransactionCanceledException e) {
            return false;
        }
    }

    /**
     * Deletes the imported instances the peer's manifest no longer lists (services it stopped exporting, or
     * instances gone from it), in batches. Idempotent. Run by the stream handler when a manifest changes.
     *
     * @return how many items it deleted
     */
    public int purgeUnlisted(PeeringKey peer) {
        Manifest manifest = manifest(peer);
        String pk = TableKeys.importedFrom(peer);
        List<Map<String, AttributeValue>> stale = new ArrayList<>();
        for (Map<String, AttributeValue> item : catalog.query(pk, CatalogItems.SERVICE_PREFIX)) {
            if (!manifest.instanceKeys().contains(Attributes.string(item, TableKeys.SK))) {
                stale.add(TableKeys.key(pk, Attributes.string(item, TableKeys.SK)));
            }
        }
        for (int from = 0; from < stale.size(); from += BATCH_LIMIT) {
            deleteBatch(stale.subList(from, Math.min(stale.size(), from + BATCH_LIMIT)));
        }
        if (!stale.isEmpty()) {
            index.next();
        }
        return stale.size();
    }

    /** The peering a manifest item belongs to, from its keys as found in a stream record; null for other items. */
    public static PeeringKey manifestOwner(String pk, String sk) {
        if (!MANIFEST_SK.equals(sk) || pk == null || !pk.startsWith("IMPORTED#")) {
            return null;
        }
        String[] parts = pk.split("#", 3);
        return parts.length == 3 ? new PeeringKey(parts[1], parts[2]) : null;
    }

    private static boolean sameContent(Map<String, AttributeValue> before, Map<String, AttributeValue> after) {
        Map<String, AttributeValue> a = new HashMap<>(before);
        a.remove("createIndex");
        a.remove("modifyIndex");
        return a.equals(after);
    }

    /**
     * Stores (or replaces) the trust bundle imported from a peer.
     *
     * @param peer        the local partition and name of the peering
     * @param trustDomain the peer's trust domain, {@code <cluster id>.consul}
     * @param rootPems    the peer's CA roots, PEM
     * @param at          when it was received
     */
    public void putTrustBundle(PeeringKey peer, String trustDomain, List<String> rootPems, Instant at) {
        if (rootPems.equals(trustBundle(peer))) {
            return;
        }
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(TableKeys.importedFrom(peer), TRUST_BUNDLE_SK));
        item.put("trustDomain", s(trustDomain));
        item.put("rootPems", list(rootPems));
        item.put("updatedAt", Attributes.instant(at));
        dynamoDb.putItem(r -> r.tableName(table).item(item));
    }

    /** The imported trust bundle's roots, or an empty list when none is stored. */
    public List<String> trustBundle(PeeringKey peer) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table)
                .key(TableKeys.key(TableKeys.importedFrom(peer), TRUST_BUNDLE_SK)).consistentRead(true)).item();
        return item == null ? List.of() : Attributes.strings(item, "rootPems");
    }

    /** How many items imported from the peer remain. */
    public int count(PeeringKey peer) {
        int count = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse page = dynamoDb.query(r -> {
                r.tableName(table).consistentRead(true).select(Select.COUNT)
                        .keyConditionExpression("#pk = :pk").expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                        .expressionAttributeValues(Map.of(":pk", s(TableKeys.importedFrom(peer))));
                if (from != null) {
                    r.exclusiveStartKey(from);
                }
            });
            count += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }

    /**
     * Deletes one batch (at most 25 items) of what was imported from the peer. Idempotent: deleting what is
     * already gone changes nothing. Call until it returns 0.
     *
     * @return how many items this batch deleted
     */
    public int purgeBatch(PeeringKey peer) {
        QueryResponse page = dynamoDb.query(r -> r.tableName(table).consistentRead(true).limit(BATCH_LIMIT)
                .projectionExpression("#pk, #sk")
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(TableKeys.importedFrom(peer)))));
        if (page.items().isEmpty()) {
            return 0;
        }
        deleteBatch(page.items());
        return page.items().size();
    }

    /** Deletes up to 25 items by key with one BatchWriteItem, retrying what DynamoDB leaves unprocessed. */
    private void deleteBatch(List<Map<String, AttributeValue>> keys) {
        List<WriteRequest> deletes = keys.stream()
                .map(key -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build())
                .toList();
        Map<String, List<WriteRequest>> pending = Map.of(table, deletes);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt == MAX_UNPROCESSED_RETRIES) {
                throw new IllegalStateException("DynamoDB left deletes unprocessed after " + attempt + " attempts");
            }
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            if (!pending.isEmpty()) {
                sleepBeforeRetry(attempt);
            }
        }
    }

    private static void sleepBeforeRetry(int attempt) {
        try {
            Thread.sleep(Math.min(1000L, 50L << attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying unprocessed deletes", e);
        }
    }
}
