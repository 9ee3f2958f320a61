package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.Map;

/**
 * Consul-style raft indexes for peerings: one atomic counter item that every peering write advances
 * ({@code CreateIndex}, {@code ModifyIndex}) and that blocking queries and {@code X-Consul-Index} read.
 * The counter only grows; its first value is 1, so an index is never 0.
 */
@Singleton
public class ConsulIndex {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public ConsulIndex(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /** Advances the counter with one atomic {@code ADD} and returns the new value (1 or more). */
    public long next() {
        Map<String, AttributeValue> updated = dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.indexCounter())
                .updateExpression("ADD #value :one")
                .expressionAttributeNames(Map.of("#value", "value"))
                .expressionAttributeValues(Map.of(":one", AttributeValue.fromN("1")))
                .returnValues(ReturnValue.UPDATED_NEW)).attributes();
        return Long.parseLong(updated.get("value").n());
    }

    /** The counter's current value, or 1 when nothing was ever written (Consul never answers index 0). */
    public long current() {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.indexCounter())
                .consistentRead(true)).item();
        long value = item == null || !item.containsKey("value") ? 0 : Long.parseLong(item.get("value").n());
        return Math.max(1, value);
    }
}
