package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.clusterpeering.store.Attributes.instant;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.PeeringItems.*;

/**
 * The heartbeat chains of AWS's fan-out ({@code HeartbeatFanOut}): one beat item per peering
 * ({@code HEARTBEAT#<partition>} / {@code NAME#<name>}) holding its chain's ID, step and next due time, so that of
 * racing schedulers and redelivered queue messages exactly one chain beats each peering and each beat is taken
 * once. Apart from the peering rows: a chain's writes never touch a lifecycle rule.
 */
@Singleton
public class BeatChainStore {
    private final DynamoDbClient dynamoDb;
    private final String table;

    /**
     * @param dynamoDb the client, built once at start-up
     * @param config   names the table
     */
    public BeatChainStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /**
     * Rule: one heartbeat chain per peering. Starts a new chain for a connected peering when it has none, or when
     * its chain has not claimed a beat since {@code deadBefore} (its message was lost or dropped): one conditional
     * write of the peering's beat item ({@code HEARTBEAT#<partition>} / {@code NAME#<name>}), so of two schedulers
     * racing, one starts it.
     *
     * @param chain     the new chain's ID
     * @param firstDue  when its first beat is due
     * @param deadBefore a chain whose next beat was due before this is considered dead
     * @return true when this call started the chain
     */
    public boolean startBeatChain(Peering peering, String chain, Instant firstDue, Instant deadBefore) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.beat(peering.key()));
        item.put(ID, s(peering.id()));
        item.put(BEAT_CHAIN, s(chain));
        item.put(BEAT_STEP, n(0));
        item.put(BEAT_DUE, instant(firstDue));
        try {
            dynamoDb.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(#pk) OR #due < :dead OR #id <> :id")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#due", BEAT_DUE, "#id", ID))
                    .expressionAttributeValues(Map.of(":dead", instant(deadBefore), ":id", s(peering.id()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Rule: each beat of a chain is taken once. Moves the chain from {@code step} to {@code step + 1} and records
     * when the next beat is due, only if the chain is still the peering's and still at that step, so a message
     * delivered twice, or one of a chain that was replaced, does nothing.
     *
     * @return true when this call claimed the beat
     */
    public boolean claimBeat(PeeringKey key, String peeringId, String chain, long step, Instant nextDue) {
        try {
            dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.beat(key))
                    .conditionExpression("#id = :id AND #chain = :chain AND #step = :step")
                    .updateExpression("SET #step = :next, #due = :due")
                    .expressionAttributeNames(Map.of("#id", ID, "#chain", BEAT_CHAIN, "#step", BEAT_STEP, "#due", BEAT_DUE))
                    .expressionAttributeValues(Map.of(":id", s(peeringId), ":chain", s(chain), ":step", n(step),
                            ":next", n(step + 1), ":due", instant(nextDue))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }
}
