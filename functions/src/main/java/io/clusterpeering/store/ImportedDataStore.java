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

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.s;

/**
 * Everything imported from one peer, kept under one partition key per peer
 * ({@code IMPORTED#<partition>#<peer name>}) so that a purge is a query plus batched deletes. Today that is
 * the peer's trust bundle (its CA roots); the replication work adds imported nodes, services and checks under
 * the same key, and the purge removes them without change.
 */
@Singleton
public class ImportedDataStore {
    /** DynamoDB's limit of items in one BatchWriteItem call. */
    static final int BATCH_LIMIT = 25;
    private static final String TRUST_BUNDLE_SK = "TRUST_BUNDLE#roots";
    private static final int MAX_UNPROCESSED_RETRIES = 8;

    private final DynamoDbClient dynamoDb;
    private final String table;

    public ImportedDataStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
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
        List<WriteRequest> deletes = page.items().stream()
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
        return deletes.size();
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
