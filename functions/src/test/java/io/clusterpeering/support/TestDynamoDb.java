package io.clusterpeering.support;

import io.clusterpeering.local.EmbeddedDynamoDb;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The DynamoDB engine the tests run against: Amazon's DynamoDB Local, started once per test JVM on
 * 127.0.0.1, unless {@code PEERING_TEST_DYNAMODB_ENDPOINT} names another endpoint (LocalStack:
 * {@code http://127.0.0.1:4566}). Each test class gets tables of its own, so classes never see each other's data.
 */
public final class TestDynamoDb {
    private static EmbeddedDynamoDb embedded;

    private TestDynamoDb() {
    }

    /** The endpoint of the engine, starting DynamoDB Local on first use. */
    public static synchronized String endpoint() {
        String external = System.getenv("PEERING_TEST_DYNAMODB_ENDPOINT");
        if (external != null && !external.isBlank()) {
            return external;
        }
        if (embedded == null) {
            embedded = EmbeddedDynamoDb.start(null);
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::close));
        }
        return embedded.endpoint();
    }

    /**
     * Configuration for a context over a new, empty table.
     *
     * @param purpose a short word that goes into the table name
     */
    public static Map<String, Object> freshTable(String purpose) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("peering.dynamodb.endpoint", endpoint());
        properties.put("peering.dynamodb.table-name", "test-" + purpose + "-" + UUID.randomUUID().toString().substring(0, 8));
        properties.put("peering.dynamodb.create-table", true);
        String region = System.getenv("AWS_REGION");
        if (region != null && !region.isBlank()) {
            properties.put("peering.dynamodb.region", region);
        }
        return properties;
    }
}
