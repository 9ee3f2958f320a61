package io.clusterpeering.store;

import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.Get;
import software.amazon.awssdk.services.dynamodb.model.ItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * DynamoDB's batch and paging loops, shared by the store classes: BatchWriteItem deletes (and bulk puts) and BatchGetItem
 * reads that retry what DynamoDB leaves unprocessed (with a short back-off), and queries that follow
 * {@code LastEvaluatedKey} page by page.
 */
final class Batches {
    /** DynamoDB's limit of requests in one BatchWriteItem call. */
    static final int WRITE_LIMIT = 25;
    /** DynamoDB's limit of keys in one BatchGetItem (and TransactGetItems) call. */
    static final int GET_LIMIT = 100;
    private static final int MAX_UNPROCESSED_RETRIES = 8;
    /**
     * The back-off of {@link #contended}: the SDK's own strategy ({@code retries-spi}), whose attempt 1 is the first
     * try (no delay), so a caller's 0-based wait {@code n} is its attempt {@code n + 2}.
     */
    private static final BackoffStrategy CONTENDED =
            BackoffStrategy.exponentialDelayHalfJitter(Duration.ofMillis(5), Duration.ofMillis(1280));
    /** The back-off of {@link #pause}, counted as {@link #CONTENDED} is. */
    private static final BackoffStrategy UNPROCESSED =
            BackoffStrategy.exponentialDelayHalfJitter(Duration.ofMillis(50), Duration.ofSeconds(1));
    /** Snapshot reads a concurrent transaction cancelled, retried after {@link #contended} waits (about 5 s in all). */
    private static final int MAX_SNAPSHOT_ATTEMPTS = 12;

    private Batches() {
    }

    /** One item by its keys, strongly consistent; an empty map when there is none. */
    static Map<String, AttributeValue> item(DynamoDbClient dynamoDb, String table, String pk, String sk) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.key(pk, sk))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }

    /** Deletes up to 25 items by key with one BatchWriteItem, retrying what DynamoDB leaves unprocessed. */
    static void delete(DynamoDbClient dynamoDb, String table, List<Map<String, AttributeValue>> keys) {
        write(dynamoDb, table, keys.stream()
                .map(key -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build())
                .toList());
    }

    /** One BatchWriteItem of up to 25 requests, retrying what DynamoDB leaves unprocessed (with a short back-off). */
    private static void write(DynamoDbClient dynamoDb, String table, List<WriteRequest> requests) {
        Map<String, List<WriteRequest>> pending = Map.of(table, requests);
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt == MAX_UNPROCESSED_RETRIES) {
                throw new IllegalStateException("DynamoDB left writes unprocessed after " + attempt + " attempts");
            }
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            if (!pending.isEmpty()) {
                pause(attempt);
            }
        }
    }

    /**
     * Puts many items with BatchWriteItem, 25 a call and {@code parallelism} calls in flight, retrying what DynamoDB
     * leaves unprocessed (with a short back-off): the bulk loads' writer, for items nothing else writes meanwhile
     * (no conditions).
     *
     * @throws IllegalStateException when DynamoDB keeps leaving a batch unprocessed, or a batch fails
     * @throws InterruptedException  when interrupted while the writers work
     */
    static void putAll(DynamoDbClient dynamoDb, String table, List<Map<String, AttributeValue>> items, int parallelism)
            throws InterruptedException {
        ExecutorService writers = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<?>> batches = new ArrayList<>();
            for (int from = 0; from < items.size(); from += WRITE_LIMIT) {
                List<WriteRequest> puts = items.subList(from, Math.min(items.size(), from + WRITE_LIMIT)).stream()
                        .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                        .toList();
                batches.add(writers.submit(() -> write(dynamoDb, table, puts)));
            }
            for (Future<?> batch : batches) {
                try {
                    batch.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime
                            : new IllegalStateException("a bulk-load batch failed", e.getCause());
                }
            }
        } finally {
            writers.shutdownNow();
        }
    }

    /** Reads items by key, strongly consistent, 100 keys per BatchGetItem; missing items are absent from the result. */
    static List<Map<String, AttributeValue>> get(DynamoDbClient dynamoDb, String table,
                                                 List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += GET_LIMIT) {
            List<Map<String, AttributeValue>> pending = keys.subList(from, Math.min(keys.size(), from + GET_LIMIT));
            for (int attempt = 0; !pending.isEmpty(); attempt++) {
                if (attempt == MAX_UNPROCESSED_RETRIES) {
                    throw new IllegalStateException("DynamoDB left reads unprocessed after " + attempt + " attempts");
                }
                List<Map<String, AttributeValue>> request = pending;
                BatchGetItemResponse response = dynamoDb.batchGetItem(r -> r.requestItems(Map.of(table,
                        KeysAndAttributes.builder().keys(request).consistentRead(true).build())));
                items.addAll(response.responses().getOrDefault(table, List.of()));
                KeysAndAttributes unprocessed = response.unprocessedKeys().get(table);
                pending = unprocessed == null ? List.of() : unprocessed.keys();
                if (!pending.isEmpty()) {
                    pause(attempt);
                }
            }
        }
        return items;
    }

    /**
     * Reads up to 100 items by key in one TransactGetItems call: a serializable snapshot, so items read together
     * (a service's head and some of its instances) agree with each other.
     *
     * @return the items in the order of the keys, null where an item is absent
     */
    static List<Map<String, AttributeValue>> snapshot(DynamoDbClient dynamoDb, String table,
                                                      List<Map<String, AttributeValue>> keys) {
        if (keys.size() > GET_LIMIT) {
            throw new IllegalArgumentException("at most " + GET_LIMIT + " keys in one snapshot read");
        }
        List<TransactGetItem> gets = keys.stream()
                .map(key -> TransactGetItem.builder().get(Get.builder().tableName(table).key(key).build()).build())
                .toList();
        for (int attempt = 0; ; attempt++) {
            try {
                List<ItemResponse> responses = dynamoDb.transactGetItems(r -> r.transactItems(gets)).responses();
                List<Map<String, AttributeValue>> items = new ArrayList<>(responses.size());
                for (ItemResponse response : responses) {
                    items.add(response.hasItem() && !response.item().isEmpty() ? response.item() : null);
                }
                return items;
            } catch (TransactionCanceledException e) {
                // Another transaction was writing one of the items at that moment: read again.
                if (attempt == MAX_SNAPSHOT_ATTEMPTS) {
                    throw e;
                }
                contended(attempt);
            }
        }
    }

    /**
     * Runs a query page by page (strongly consistent), handing each page's items to {@code each}.
     *
     * @param request the query, without {@code ExclusiveStartKey}
     */
    static void query(DynamoDbClient dynamoDb, QueryRequest request, Consumer<List<Map<String, AttributeValue>>> each) {
        Map<String, AttributeValue> start = null;
        do {
            QueryRequest.Builder page = request.toBuilder().consistentRead(true);
            if (start != null) {
                page.exclusiveStartKey(start);
            }
            QueryResponse response = dynamoDb.query(page.build());
            each.accept(response.items());
            start = response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty() ? response.lastEvaluatedKey() : null;
        } while (start != null);
    }

    /**
     * Waits a moment before reading a contended item again (a service's head another writer moved, a snapshot
     * another transaction was writing): the SDK's exponential back-off with half jitter ({@link #CONTENDED}), between
     * half and all of 5 ms doubling with each attempt, at most 1.28 s. The winner has usually committed within a few
     * milliseconds, so the first retries come almost at once, and the jitter keeps losers from meeting again in step.
     *
     * @param attempt how many times the caller has already waited for this item, from 0
     */
    static void contended(int attempt) {
        sleep(CONTENDED.computeDelay(attempt + 2).toMillis());
    }

    /**
     * Waits a little before retrying unprocessed work (what BatchWriteItem or BatchGetItem left): the SDK's
     * exponential back-off with half jitter ({@link #UNPROCESSED}), 50 ms doubling, at most one second, as AWS
     * advises for unprocessed items.
     *
     * @param attempt how many times the caller has already waited, from 0
     */
    static void pause(int attempt) {
        sleep(UNPROCESSED.computeDelay(attempt + 2).toMillis());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying unprocessed DynamoDB work", e);
        }
    }
}
