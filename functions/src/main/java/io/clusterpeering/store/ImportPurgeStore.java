package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Deadline;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.store.ServiceHeads.Change;
import io.clusterpeering.store.ServiceHeads.Head;
import io.clusterpeering.store.ServiceHeads.Outcome;
import io.clusterpeering.store.ServiceHeads.Step;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.Select;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
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
    /** Keys read per query page of a purge. */
    private static final int PURGE_PAGE = 1000;
    /** BatchWriteItem calls of one purge in flight at once. */
    public static final int PURGE_IN_FLIGHT = 8;

    private final DynamoDbClient dynamoDb;
    private final String table;
    /** The purges' delete calls and their read-ahead of the next page's keys, shared by every purge. */
    private final ExecutorService workers;

    public ImportPurgeStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "purge-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Deletes the instances (and tombstones) of a service the peer no longer exports, 90 a transaction, each
     * transaction checking the head still says not exported at the index the batch was planned under, so a
     * newer apply (the service exported again) stops it. Idempotent; resumable after a crash.
     *
     * @param deadline stop at the first transaction past it (the stream handler is called again by the head's
     *                 next change)
     * @return how many items it deleted
     */
    public int purgeUnexported(PeeringKey peer, String service, Deadline deadline) {
        String pk = TableKeys.importedFrom(peer);
        int deleted = 0;
        while (!deadline.passed()) {
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
     * Deletes everything imported from a peer whose peering is being deleted or was terminated, at full speed
     * while time remains: pages of up to 1,000 keys read one ahead, each page's keys deleted with BatchWriteItem
     * calls of 25, {@value #PURGE_IN_FLIGHT} calls in flight at once across page boundaries. After each page is
     * deleted it reports the running total. It always deletes at least one page, then stops at the first page
     * boundary past the deadline. Idempotent and resumable: what a stop or a crash leaves is found by the next
     * call; a page that ends the keys is followed by one more read from the start (nothing can be added
     * meanwhile: the peering is no longer connected).
     *
     * @param progress called after each page with the running total deleted by this call
     * @param deadline when to stop, leaving the rest to the next call (the stream function's remaining time)
     * @return how many it deleted, and whether nothing is left
     * @throws IllegalStateException when interrupted (what is deleted stays deleted)
     */
    public Purge purgeAll(PeeringKey peer, IntConsumer progress, Deadline deadline) {
        String pk = TableKeys.importedFrom(peer);
        Semaphore slots = new Semaphore(PURGE_IN_FLIGHT);
        Deque<Page> deleting = new ArrayDeque<>();
        int deleted = 0;
        try {
            QueryResponse page = keysAfter(pk, null);
            while (!page.items().isEmpty()) {
                Map<String, AttributeValue> last = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty()
                        ? page.lastEvaluatedKey() : null;
                Future<QueryResponse> next = last == null ? null : workers.submit(() -> keysAfter(pk, last));
                deleting.add(deleteInBatches(page.items(), slots));
                // The previous page finishes while this one's batches start: no gap in the pipeline. Before the
                // read from the start that follows the last page, every page must be gone.
                deleted = awaitPages(deleting, next == null ? 0 : 1, deleted, progress);
                if (deadline.passed()) {
                    deleted = awaitPages(deleting, 0, deleted, progress);
                    if (next != null) {
                        next.cancel(true);
                    }
                    return new Purge(deleted, false);
                }
                page = next == null ? keysAfter(pk, null) : next.get();
            }
            return new Purge(awaitPages(deleting, 0, deleted, progress), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleting.forEach(Page::cancel);
            throw new IllegalStateException("interrupted while purging imports of " + peer.name(), e);
        } catch (ExecutionException e) {
            deleting.forEach(Page::cancel);
            throw e.getCause() instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getCause());
        }
    }

    /**
     * Waits for the oldest pages in flight until at most {@code inFlight} remain, reporting the running total after
     * each.
     *
     * @return the running total deleted, {@code deleted} plus the pages waited for
     */
    private static int awaitPages(Deque<Page> pages, int inFlight, int deleted, IntConsumer progress)
            throws InterruptedException, ExecutionException {
        while (pages.size() > inFlight) {
            deleted += pages.remove().await();
            progress.accept(deleted);
        }
        return deleted;
    }

    /** Starts deleting one page of keys, 25 a call, taking a slot of the in-flight bound for each call. */
    private Page deleteInBatches(List<Map<String, AttributeValue>> keys, Semaphore slots) throws InterruptedException {
        List<Future<?>> batches = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_LIMIT) {
            List<Map<String, AttributeValue>> batch = keys.subList(from, Math.min(keys.size(), from + BATCH_LIMIT));
            slots.acquire();
            try {
                batches.add(workers.submit(() -> {
                    try {
                        Batches.delete(dynamoDb, table, batch);
                    } finally {
                        slots.release();
                    }
                }));
            } catch (RuntimeException e) {
                slots.release();
                throw e;
            }
        }
        return new Page(keys.size(), batches);
    }

    /** One page's delete calls in flight. */
    private record Page(int keys, List<Future<?>> batches) {
        int await() throws InterruptedException, ExecutionException {
            for (Future<?> batch : batches) {
                batch.get();
            }
            return keys;
        }

        void cancel() {
            batches.forEach(batch -> batch.cancel(true));
        }
    }

    /** Stops the purge threads when the application context closes. */
    @PreDestroy
    void close() {
        workers.shutdownNow();
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
