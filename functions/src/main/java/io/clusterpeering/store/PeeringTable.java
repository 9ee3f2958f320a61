package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Creates the single table at start-up when {@code peering.dynamodb.create-table} is true (local runs,
 * tests, LocalStack without the CDK stack): keys {@code pk}/{@code sk}, on-demand billing, and a stream with
 * new and old images. Waits with the SDK's waiter until the table is active. In AWS the CDK stack owns the table.
 */
@Context
@Requires(property = "peering.dynamodb.create-table", value = "true")
public class PeeringTable {

    public PeeringTable(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        String table = config.getTableName();
        try {
            dynamoDb.describeTable(r -> r.tableName(table));
            return;
        } catch (ResourceNotFoundException missing) {
            // create it below
        }
        try {
            dynamoDb.createTable(r -> r.tableName(table)
                    .keySchema(KeySchemaElement.builder().attributeName(TableKeys.PK).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(TableKeys.SK).keyType(KeyType.RANGE).build())
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(TableKeys.PK).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(TableKeys.SK).attributeType(ScalarAttributeType.S).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)));
        } catch (ResourceInUseException createdConcurrently) {
            // another instance created it; wait for it below
        }
        dynamoDb.waiter().waitUntilTableExists(r -> r.tableName(table));
    }
}
