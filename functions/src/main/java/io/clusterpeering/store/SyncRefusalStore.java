package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Peering;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;

/**
 * What a peer refused of the replication we sent it, per service: the last refusal of an update or a chunk of each
 * service (and, under an empty service name, of the service list), under {@code SYNC#<partition>#<peer>}. Written
 * only when a peer answers a replication message with an error, so the path of a taken message writes nothing here;
 * a refusal is judged stale by its reader once the service changed again or the peer holds what we hold. Items
 * name the peering ID they were recorded for (a new peering under the same name never sees them) and expire
 * after {@link #RETENTION} (the table's TTL).
 */
@Singleton
public class SyncRefusalStore {
    /** How long a refusal is kept: long after any operator would still look for it. */
    static final Duration RETENTION = Duration.ofDays(1);
    private static final String PEERING_ID = "peeringId";
    private static final String SERVICE = "service";
    private static final String VERSION = "refusedVersion";
    private static final String REASON = "refusal";
    private static final String AT = "refusedAt";

    private final DynamoDbClient dynamoDb;
    private final String table;

    public SyncRefusalStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /**
     * One refusal.
     *
     * @param service the service the refused message was about; empty for the service list
     * @param version the version of the service the message carried (the exporter's Consul index), 0 for a list
     * @param reason  what was refused and the peer's answer, for example {@code chunk refused: 500 ...}
     * @param at      when the peer refused it
     */
    public record Refusal(String service, long version, String reason, Instant at) {
    }

    /** Records that the peer of {@code peering} refused a message about {@code service} (one UpdateItem). */
    public void record(Peering peering, Refusal refusal) {
        dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.syncRefusal(peering.key(), refusal.service()))
                .updateExpression("SET #peeringId = :id, #service = :service, #version = :version, #reason = :reason,"
                        + " #at = :at, #expiresAt = :expiresAt")
                .expressionAttributeNames(Map.of("#peeringId", PEERING_ID, "#service", SERVICE, "#version", VERSION,
                        "#reason", REASON, "#at", AT, "#expiresAt", TableKeys.EXPIRES_AT))
                .expressionAttributeValues(Map.of(":id", s(peering.id()), ":service", s(refusal.service()),
                        ":version", n(refusal.version()), ":reason", s(refusal.reason()),
                        ":at", n(refusal.at().toEpochMilli()),
                        ":expiresAt", n(refusal.at().plus(RETENTION).getEpochSecond()))));
    }

    /**
     * The refusals recorded for this peering (one query), by service ({@code ""} for the service list).
     */
    public Map<String, Refusal> refusals(Peering peering) {
        Map<String, Refusal> refusals = new TreeMap<>();
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK))
                .expressionAttributeValues(Map.of(":pk", s(TableKeys.syncRefusals(peering.key()))))
                .consistentRead(true)
                .build(), page -> page.forEach(item -> {
                    if (peering.id().equals(Attributes.string(item, PEERING_ID))) {
                        Refusal refusal = of(item);
                        refusals.put(refusal.service(), refusal);
                    }
                }));
        return refusals;
    }

    private static Refusal of(Map<String, AttributeValue> item) {
        return new Refusal(Attributes.string(item, SERVICE), Attributes.number(item, VERSION),
                Attributes.string(item, REASON), Instant.ofEpochMilli(Attributes.number(item, AT)));
    }
}
