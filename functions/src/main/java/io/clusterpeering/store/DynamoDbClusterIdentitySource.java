package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentityGenerator;
import io.clusterpeering.token.CachedClusterIdentitySource;
import io.clusterpeering.token.ClusterIdentitySource.IdentityChanged;
import io.clusterpeering.token.ClusterIdentityCodec;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.HashMap;
import java.util.Map;

import static io.clusterpeering.store.Attributes.s;

/**
 * Keeps the cluster identity in the table, under {@code CLUSTER / IDENTITY}. The first instance to start
 * creates it with a conditional put ({@code attribute_not_exists}), so concurrent first starts agree on
 * one identity; everyone else reads it. Loaded once per instance and then held in memory.
 *
 * <p>The default source: locally and in tests. A deployment that keeps the key elsewhere provides its own
 * {@link ClusterIdentitySource} bean and sets {@code peering.identity.source} to something other than
 * {@code dynamodb}.
 */
@Singleton
@Requires(property = "peering.identity.source", value = "dynamodb", defaultValue = "dynamodb")
public class DynamoDbClusterIdentitySource extends CachedClusterIdentitySource {
    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbClusterIdentitySource(DynamoDbClient dynamoDb, DynamoDbConfiguration config,
                                         @io.micronaut.context.annotation.Value("${peering.identity-refresh:60s}")
                                         java.time.Duration refresh) {
        super(refresh);
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }


    @Override
    protected ClusterIdentity load() {
        Map<String, AttributeValue> stored = read();
        if (stored != null) {
            return decode(stored);
        }
        ClusterIdentity created = ClusterIdentityGenerator.generate();
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.clusterIdentity());
        ClusterIdentityCodec.toFields(created).forEach((name, value) -> item.put(name, s(value)));
        try {
            dynamoDb.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
            return created;
        } catch (ConditionalCheckFailedException lostTheRace) {
            return decode(read());
        }
    }

    @Override
    public ClusterIdentity current() {
        Map<String, AttributeValue> stored = read();
        return stored == null ? load() : decode(stored);
    }

    /** Replaces the item whole, on the condition that its revision is the one read (absent: revision 0). */
    @Override
    protected void store(long expectedRevision, ClusterIdentity next) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.clusterIdentity());
        ClusterIdentityCodec.toFields(next).forEach((name, value) -> item.put(name, s(value)));
        try {
            dynamoDb.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression(expectedRevision == 0
                            ? "attribute_exists(#pk) AND attribute_not_exists(#revision)"
                            : "#revision = :revision")
                    .expressionAttributeNames(expectedRevision == 0
                            ? Map.of("#pk", TableKeys.PK, "#revision", "rotationRevision")
                            : Map.of("#revision", "rotationRevision"))
                    .expressionAttributeValues(expectedRevision == 0 ? null
                            : Map.of(":revision", s(Long.toString(expectedRevision)))));
        } catch (ConditionalCheckFailedException e) {
            throw new IdentityChanged("the cluster identity was rewritten since revision " + expectedRevision);
        }
    }

    private Map<String, AttributeValue> read() {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.clusterIdentity())
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private static ClusterIdentity decode(Map<String, AttributeValue> item) {
        Map<String, String> fields = new HashMap<>();
        item.forEach((name, value) -> {
            if (value.s() != null) {
                fields.put(name, value.s());
            }
        });
        try {
            return ClusterIdentityCodec.fromFields(fields);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the stored cluster identity cannot be read", e);
        }
    }
}
