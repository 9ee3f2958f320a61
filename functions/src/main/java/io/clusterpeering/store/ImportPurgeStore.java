package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.store.ServiceHeads.Change;
import io.clusterpeering.store.ServiceHeads.Head;
import io.clusterpeering.store.ServiceHeads.Outcome;
import io.clusterpeering.store.ServiceHeads.Step;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.s;

/**
 * Deleting what was imported from a peer, the only code that does (and the deleting stream handler, through
 * {@code DeletionService}, the only caller; the deployment lets no other function delete {@code IMPORTED#} items):
 * the instances of a service the peer stopped exporting, and everything of a peer whose peering is deleted or
 * terminated, in parallel batches, resumable, with its progress. Layout in {@link CatalogItems} and
 * {@link ServiceHeads}; what is imported is written by {@link ImportedDataStore}.
 */
@Singleton
public class ImportPurgeStore {
    /** DynamoDB's limit of items in one BatchWriteItem call. */
    static final int BATCH_LIMIT = Batches.WRITE_LIMIT;
    /** Keys read per query page of a purge, and deletes in flight at once. */
    private static final int PURGE_PAGE = 1000;
    private static final int PURGE_PARALLELISM = 4;

    private final DynamoDbClient dynamoDb;
    private final String table;

    public ImportPurgeStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /**
     * Deletes the instances (and tombstones) of a service the peer no longer exports, 90 a transaction, each
     * transaction checking the head still says not exported at the index the batch was planned under, so a
     * newer apply (the service exported again) stops it. Idempotent; resumable after a crash.
     *
     * @param budget stop after this long (the stream handler is called again by the head's next change)
     * @return how many items it deleted
     */
    public int purgeUnexported(PeeringKey peer, String service, Duration budget) {
        String pk = TableKeys.importedFrom(peer);
        long deadline = System.nanoTime() + budget.toNanos();
        int deleted = 0;
        while (System.nanoTime() < deadline) {
            Head head = Head.of(service, item(pk, CatalogItems.headKey(service)));
            if (!head.stored() || head.exported()) {
                return deleted;
            }
            // Starting after the head's key (the service's prefix) reads instances only.
            QueryResponse page = dynamoDb.query(r -> r.tableName(table).consistentRead(true)
                    .limit(ServiceHeads.CHANGES_PER_TRANSACTION)
                    .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .exclusiveStartKey(TableKeys.key(pk, CatalogItems.headKey(service)))
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                    .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(CatalogItems.serviceKeyPrefix(service)))));
            if (page.items().isEmpty()) {
                return deleted;
            }
            List<Change> changes = page.items().stream().map(item -> new Change(
                    TableKeys.key(pk, Attributes.string(item, TableKeys.SK)), item, null)).toList();
            Step step = ServiceHeads.step(table, pk, head, changes, false, 0);
            if (ServiceHeads.run(dynamoDb, ServiceHeads.transaction(table, pk, step), Set.of(0)) == Outcome.WRITTEN) {
                deleted += changes.size();
            }
        }
        return deleted;
    }

    /**
     * About how many items imported from the peer remain, from the service list and heads alone (one query over
     * one small item per service, one BatchGetItem per 100 services): each service's instances, head and list
     * entry, the list counter and the trust bundle. Tombstones are not counted; a purge counts down from this.
     */
    public int estimateItems(PeeringKey peer) {
        String pk = TableKeys.importedFrom(peer);
        List<String> services = new ArrayList<>();
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":prefix", s(CatalogItems.LIST_PREFIX)))
                .build(), page -> page.forEach(item -> {
                    String service = CatalogItems.serviceOfListEntry(Attributes.string(item, TableKeys.SK));
                    if (service != null) {
                        services.add(service);
                    }
                }));
        long estimate = 2;
        for (Map<String, AttributeValue> head : Batches.get(dynamoDb, table,
                services.stream().map(service -> TableKeys.key(pk, CatalogItems.headKey(service))).toList())) {
            estimate += 2 + Attributes.number(head, ServiceHeads.COUNT);
        }
        return (int) Math.min(Integer.MAX_VALUE, estimate);
    }

    /** How many items imported from the peer remain: a COUNT query over the peer's items, all pages. */
    public int count(PeeringKey peer) {
        int[] count = {0};
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
            count[0] += page.count();
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return count[0];
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
        Batches.delete(dynamoDb, table, page.items());
        return page.items().size();
    }

    /**
     * Deletes everything imported from a peer whose peering is being deleted or was terminated: pages of up to
     * 1,000 keys, each deleted with BatchWriteItem calls of 25, four in flight at once, while the next page's keys
     * are read. After each page it reports how many items it has deleted so far. Idempotent and resumable: what a
     * crash leaves is found by the next call.
     *
     * @param progress called after each page with the running total deleted by this call
     * @param budget   stop after this long, leaving the rest to the next call
     * @return how many it deleted, and whether nothing is left
     */
    public Purge purgeAll(PeeringKey peer, IntConsumer progress, Duration budget) {
        long deadline = System.nanoTime() + budget.toNanos();
        String pk = TableKeys.importedFrom(peer);
        int deleted = 0;
        ExecutorService workers = Executors.newFixedThreadPool(PURGE_PARALLELISM + 1, runnable -> {
            Thread thread = new Thread(runnable, "purge-" + peer.name());
            thread.setDaemon(true);
            return thread;
        });
        try {
            QueryResponse page = keysAfter(pk, null);
            while (true) {
                if (page.items().isEmpty()) {
                    return new Purge(deleted, true);
                }
                // Read the next page's keys while this one is deleted; a short page is followed by a check from
                // the start (nothing can be added meanwhile: the peering is no longer connected).
                QueryResponse current = page;
                Map<String, AttributeValue> last = current.hasLastEvaluatedKey() && !current.lastEvaluatedKey().isEmpty()
                        ? current.lastEvaluatedKey() : null;
                Future<QueryResponse> next = workers.submit(() -> keysAfter(pk, last));
                List<Future<?>> batches = new ArrayList<>();
                List<Map<String, AttributeValue>> keys = current.items();
                for (int from = 0; from < keys.size(); from += BATCH_LIMIT) {
                    List<Map<String, AttributeValue>> batch = keys.subList(from, Math.min(keys.size(), from + BATCH_LIMIT));
                    batches.add(workers.submit(() -> Batches.delete(dynamoDb, table, batch)));
                }
                for (Future<?> batch : batches) {
                    batch.get();
                }
                deleted += keys.size();
                progress.accept(deleted);
                if (System.nanoTime() >= deadline) {
                    next.cancel(true);
                    return new Purge(deleted, false);
                }
                page = last == null ? keysAfter(pk, null) : next.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while purging imports of " + peer.name(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        } finally {
            workers.shutdownNow();
        }
    }

    /** Up to 1,000 keys of the peer's items, after {@code start} (or from the first). */
    private QueryResponse keysAfter(String pk, Map<String, AttributeValue> start) {
        return dynamoDb.query(r -> {
            r.tableName(table).consistentRead(true).limit(PURGE_PAGE)
                    .projectionExpression("#pk, #sk")
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                    .expressionAttributeValues(Map.of(":pk", s(pk)));
            if (start != null) {
                r.exclusiveStartKey(start);
            }
        });
    }

    /**
     * What one {@link #purgeAll} call did.
     *
     * @param deleted how many items it deleted
     * @param done    whether nothing is left
     */
    public record Purge(int deleted, boolean done) {
    }

    private Map<String, AttributeValue> item(String pk, String sk) {
        return Batches.item(dynamoDb, table, pk, sk);
    }
}
