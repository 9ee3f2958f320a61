package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Consul-style raft indexes, one counter per {@link IndexScope} instead of one for the whole table: a write
 * advances the counter of its scope ({@code CreateIndex}, {@code ModifyIndex}); blocking queries and
 * {@code X-Consul-Index} read it. Each counter only grows and starts at 1, so an index is never 0. Indexes of
 * different scopes are independent sequences: a client compares an index only with what the same read
 * returned before, as Consul's clients do.
 */
@Singleton
public class ConsulIndex {
    private static final Logger LOG = LoggerFactory.getLogger(ConsulIndex.class);
    static final String VALUE = "value";
    /** Service heads and service list counters keep their counter under this attribute. */
    static final String HEAD_VALUE = "index";

    /** The update that advances a counter (attribute {@code #value}): from 1 when it was never written. */
    static final String ADVANCE = "SET #value = if_not_exists(#value, :one) + :one";

    private final DynamoDbClient dynamoDb;
    private final String table;

    public ConsulIndex(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /** Advances the {@link IndexScope#GLOBAL} counter (ACLs, config entries). */
    public long next() {
        return next(IndexScope.GLOBAL);
    }

    /** The {@link IndexScope#GLOBAL} counter's current value, 1 or more. */
    public long current() {
        return current(IndexScope.GLOBAL);
    }

    /**
     * Advances the scope's counter with one atomic update and returns the new value. A counter never written reads
     * as 1, so its first value is 2: the first write moves a reader's index forwards too.
     */
    public long next(IndexScope scope) {
        String attribute = attributeOf(scope);
        Map<String, AttributeValue> updated = dynamoDb.updateItem(r -> r.tableName(table).key(scope.key())
                .updateExpression(ADVANCE)
                .expressionAttributeNames(Map.of("#value", attribute))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        return Long.parseLong(updated.get(attribute).n());
    }

    /**
     * Advances the scope's counter after a write that has already landed, so that a blocking reader woken by the
     * index taken for the write (before it landed) is woken again. The write is in the table when this runs, so
     * a failure here (DynamoDB still failing after the SDK's retries) is logged, not thrown: answering an error
     * for a stored write would make the caller give up on it (a bootstrap SecretID never handed out, a generated
     * token lost). A blocking reader then wakes at the next write or at the end of its wait.
     */
    public void nextAfterWrite(IndexScope scope) {
        try {
            next(scope);
        } catch (SdkException e) {
            LOG.warn("the {} index was not advanced after a write: {}", scope.sk(), e.getMessage());
        }
    }

    /** {@link #nextAfterWrite(IndexScope)} for the {@link IndexScope#GLOBAL} counter. */
    public void nextAfterWrite() {
        nextAfterWrite(IndexScope.GLOBAL);
    }

    /**
     * SnapStart priming of the write path (a write route's first request after a restore): one UpdateItem and one
     * TransactWriteItems (a Put and an Update) of a priming key ({@code PRIMING#snapstart}), each under a condition
     * that cannot hold, so DynamoDB writes nothing and answers a failed condition; what is primed is the SDK's
     * marshalling of those calls and of their failures. Never throws: a failure of its own is only logged.
     */
    public void primeWrites() {
        Map<String, AttributeValue> key = TableKeys.key("PRIMING#snapstart", "PRIMING");
        String never = "attribute_exists(#pk) AND attribute_not_exists(#pk)";
        Map<String, String> names = Map.of("#pk", TableKeys.PK, "#value", VALUE);
        Map<String, AttributeValue> values = Map.of(":one", AttributeValue.fromN("1"));
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(key).updateExpression(ADVANCE).conditionExpression(never)
                    .expressionAttributeNames(names).expressionAttributeValues(values)
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.UPDATED_NEW));
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException expected) {
            // nothing written, as intended
        } catch (RuntimeException e) {
            LOG.warn("priming the UpdateItem path failed: {}", e.getMessage());
        }
        Map<String, AttributeValue> item = new java.util.HashMap<>(key);
        item.put(VALUE, AttributeValue.fromN("1"));
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(
                    t -> t.put(p -> p.tableName(table).item(item).conditionExpression(never)
                            .expressionAttributeNames(Map.of("#pk", TableKeys.PK))),
                    t -> t.update(u -> u.tableName(table).key(TableKeys.key("PRIMING#snapstart", "PRIMING#2"))
                            .updateExpression(ADVANCE).conditionExpression(never)
                            .expressionAttributeNames(names).expressionAttributeValues(values))));
        } catch (software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException expected) {
            // nothing written, as intended
        } catch (RuntimeException e) {
            LOG.warn("priming the TransactWriteItems path failed: {}", e.getMessage());
        }
    }

    /** The scope's counter, or 1 when nothing was ever written to it (Consul never answers index 0). */
    public long current(IndexScope scope) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(scope.key())
                .consistentRead(true)).item();
        return Math.max(1, valueOf(scope, item));
    }

    /**
     * The sum of several scopes' counters, read with one strongly consistent BatchGetItem: the index of a read
     * that depends on all of them. A sum of counters that only grow only grows, and grows with any of them.
     */
    public long currentSum(List<IndexScope> scopes) {
        if (scopes.size() == 1) {
            return current(scopes.get(0));
        }
        Map<Map<String, AttributeValue>, IndexScope> byKey = new HashMap<>();
        scopes.forEach(scope -> byKey.put(scope.key(), scope));
        List<Map<String, AttributeValue>> pending = new ArrayList<>(byKey.keySet());
        long sum = 0;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            List<Map<String, AttributeValue>> keys = pending;
            BatchGetItemResponse response = dynamoDb.batchGetItem(r -> r.requestItems(Map.of(table,
                    KeysAndAttributes.builder().keys(keys).consistentRead(true).build())));
            for (Map<String, AttributeValue> item : response.responses().getOrDefault(table, List.of())) {
                IndexScope scope = byKey.get(TableKeys.key(Attributes.string(item, TableKeys.PK),
                        Attributes.string(item, TableKeys.SK)));
                sum += valueOf(scope, item);
            }
            KeysAndAttributes unprocessed = response.unprocessedKeys().get(table);
            pending = unprocessed == null ? List.of() : unprocessed.keys();
            if (!pending.isEmpty()) {
                Batches.pause(attempt);
            }
        }
        return Math.max(1, sum);
    }

    private static long valueOf(IndexScope scope, Map<String, AttributeValue> item) {
        if (item == null || scope == null) {
            return 0;
        }
        return Attributes.number(item, attributeOf(scope));
    }

    private static String attributeOf(IndexScope scope) {
        return scope.attribute();
    }
}
