package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;

/**
 * The audit trail: append-only event items, one partition per peering (partition and local name, so a deleted
 * peering's events stay readable until they expire), newest first by their sort key. Every item carries
 * {@link TableKeys#EXPIRES_AT}, so DynamoDB's TTL removes it after the retention.
 *
 * <p>Rule: an event is recorded once. {@link #appendOnce} writes the event together with a marker item named by the
 * event's ID in one transaction whose marker put requires the marker to be absent; a retried request or a
 * redelivered stream record derives the same ID and changes nothing.
 */
@Singleton
public class AuditStore {
    static final String EVENT_PREFIX = "T#";
    static final String MARKER_PREFIX = "E#";
    private static final int MAX_PAGE = 500;

    private final DynamoDbClient dynamoDb;
    private final String table;

    public AuditStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
    }

    /**
     * Appends an event unless an event with the same ID was appended before.
     *
     * @param event     the event
     * @param eventId   what makes it unique, already hashed (hex, no {@code #})
     * @param retention how long DynamoDB keeps it
     * @return true when this call appended it; false when it was already there
     */
    public boolean appendOnce(AuditEvent event, String eventId, Duration retention) {
        String pk = TableKeys.auditTrail(event.partition(), event.peering());
        AttributeValue expiresAt = n(event.time().plus(retention).getEpochSecond());
        Map<String, AttributeValue> marker = new HashMap<>(TableKeys.key(pk, MARKER_PREFIX + eventId));
        marker.put(TableKeys.EXPIRES_AT, expiresAt);
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk,
                EVENT_PREFIX + String.format("%016d", microsOf(event.time())) + "#" + eventId));
        item.put(TableKeys.EXPIRES_AT, expiresAt);
        item.put("time", s(event.time().toString()));
        item.put("actor", s(event.actor()));
        item.put("partition", s(event.partition()));
        item.put("peering", s(event.peering()));
        item.put("peeringId", s(event.peeringId()));
        item.put("event", s(event.event()));
        item.put("outcome", s(event.outcome()));
        item.put("detail", s(event.detail()));
        if (event.count() != null) {
            item.put("count", n(event.count()));
        }
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(marker)
                            .conditionExpression("attribute_not_exists(#pk)")
                            .expressionAttributeNames(Map.of("#pk", TableKeys.PK)).build()).build(),
                    TransactWriteItem.builder().put(Put.builder().tableName(table).item(item).build()).build()));
            return true;
        } catch (TransactionCanceledException e) {
            List<CancellationReason> reasons = e.cancellationReasons();
            if (!reasons.isEmpty() && "ConditionalCheckFailed".equals(reasons.get(0).code())) {
                return false;
            }
            throw e;
        }
    }

    /**
     * One page of a peering's events, newest first.
     *
     * @param partition the peering's partition
     * @param peerName  its local name (lower case)
     * @param limit     at most this many, 1 to 500
     * @param cursor    where the previous page ended ({@link Page#nextCursor}), or null for the newest
     * @return the events and the cursor of the next page (null when there is none)
     * @throws InvalidRequest when the cursor was not made by this method for this peering
     */
    public Page page(String partition, String peerName, int limit, String cursor) {
        String pk = TableKeys.auditTrail(partition, peerName);
        QueryRequest.Builder request = QueryRequest.builder().tableName(table).consistentRead(true)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :events)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(pk), ":events", s(EVENT_PREFIX)))
                .scanIndexForward(false)
                .limit(Math.max(1, Math.min(MAX_PAGE, limit)));
        if (cursor != null && !cursor.isEmpty()) {
            request.exclusiveStartKey(TableKeys.key(pk, decodeCursor(cursor)));
        }
        QueryResponse response = dynamoDb.query(request.build());
        List<AuditEvent> events = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            events.add(new AuditEvent(Instant.parse(Attributes.string(item, "time")), Attributes.string(item, "actor"),
                    Attributes.string(item, "partition"), Attributes.string(item, "peering"),
                    Attributes.string(item, "peeringId"), Attributes.string(item, "event"),
                    Attributes.string(item, "outcome"), Attributes.string(item, "detail"),
                    item.containsKey("count") ? Attributes.number(item, "count") : null));
        }
        String next = null;
        if (response.hasLastEvaluatedKey() && !response.lastEvaluatedKey().isEmpty()) {
            next = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    Attributes.string(response.lastEvaluatedKey(), TableKeys.SK).getBytes(StandardCharsets.UTF_8));
        }
        return new Page(events, next);
    }

    private static long microsOf(Instant time) {
        return time.getEpochSecond() * 1_000_000L + time.getNano() / 1_000;
    }

    private static String decodeCursor(String cursor) {
        try {
            String sk = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
            if (!sk.startsWith(EVENT_PREFIX) || sk.length() > 200) {
                throw new IllegalArgumentException();
            }
            return sk;
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("cursor: not a cursor from a previous page of this list");
        }
    }

    /**
     * One page of events.
     *
     * @param events     newest first
     * @param nextCursor pass as {@code cursor} for the next page; null on the last page
     */
    public record Page(List<AuditEvent> events, String nextCursor) {
    }
}
