package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import static io.clusterpeering.store.Attributes.instant;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.names;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.strings;
import static io.clusterpeering.store.PeeringItems.*;

/**
 * The stream status of a connected peering (Consul's {@code StreamStatus}), recorded on its row: heartbeats
 * received, sent and answered, the last error reaching the peer, heartbeat round trips, the failure episodes the
 * audit trail reports once, and the replication bookkeeping the status shows (the services imported from and
 * exported to the peer, the newest export list taken). Every write is conditional on the row being the same
 * peering (its ID) and still connected (ESTABLISHING or ACTIVE), so nothing revives a peering being deleted or
 * terminated; each answers false when that condition (or its own rule) did not hold. Heartbeat times move no
 * Consul index; changes a reader shows (the imported and exported lists, a failure episode) move the row's
 * ModifyIndex and the partition's peerings index. The lifecycle rules of the same rows are
 * {@link PeeringStore}'s.
 */
@Singleton
public class StreamStatusStore {
    private static final Logger LOG = LoggerFactory.getLogger(StreamStatusStore.class);

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;

    /**
     * @param dynamoDb the client, built once at start-up
     * @param config   names the table
     * @param index    advances the peerings index where a change is shown
     */
    public StreamStatusStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
    }

    /**
     * Records that a heartbeat arrived from the peer. Only connected rows record liveness, and only a message
     * newer than the last one taken (a replayed heartbeat changes nothing); the index is not bumped, as
     * Consul's stream status never wakes a blocking query.
     *
     * @param messageSeq the heartbeat's sequence number (the sender's clock, in milliseconds)
     * @return false when the row is no longer connected, or the message is not newer
     */
    public boolean recordHeartbeat(Peering peering, Instant at, long messageSeq) {
        return recordLiveness(peering, "SET #lastReceive = :at, #lastHeartbeat = :at, #lastSeq = :seq",
                names("#lastReceive", LAST_RECEIVE, "#lastHeartbeat", LAST_HEARTBEAT, "#lastSeq", LAST_PEER_MESSAGE_SEQ),
                Map.of(":at", instant(at), ":seq", n(messageSeq)),
                " AND (attribute_not_exists(#lastSeq) OR #lastSeq < :seq)");
    }

    /**
     * Records a heartbeat from the peer and our answer to it, which carries our own heartbeat: LastHeartbeat
     * and LastReceive (it arrived) and LastSend (ours went back) in one write. Same rules as
     * {@link #recordHeartbeat}: connected rows only, and only a message newer than the last one taken.
     *
     * @param messageSeq the peer's heartbeat's sequence number
     * @throws PeeringConflict when a rule held, naming which, as the row stood at the write (DynamoDB returns it
     *                         with the failed condition): the peering is gone or replaced, is not connected here
     *                         (its state), or has taken a message at least as new (both sequence numbers)
     */
    public void recordHeartbeatAnswered(Peering peering, Instant at, long messageSeq) {
        Map<String, AttributeValue> held = recordLivenessOrHeld(peering,
                "SET #lastReceive = :at, #lastHeartbeat = :at, #lastSend = :at, #lastSeq = :seq",
                names("#lastReceive", LAST_RECEIVE, "#lastHeartbeat", LAST_HEARTBEAT, "#lastSend", LAST_SEND,
                        "#lastSeq", LAST_PEER_MESSAGE_SEQ),
                Map.of(":at", instant(at), ":seq", n(messageSeq)),
                " AND (attribute_not_exists(#lastSeq) OR #lastSeq < :seq)");
        if (held != null) {
            throw new PeeringConflict(heldRule(peering, held, messageSeq));
        }
    }

    /** Which rule of {@link #recordLiveness} held, from the row as it stood at the failed write. */
    private static String heldRule(Peering peering, Map<String, AttributeValue> row, long messageSeq) {
        if (row.isEmpty()) {
            return "peering " + peering.id() + " no longer exists here";
        }
        if (!row.containsKey(ID) || !peering.id().equals(row.get(ID).s())) {
            return "peering " + peering.id() + " was replaced here by another peering named \"" + peering.name() + "\"";
        }
        String state = row.containsKey(STATE) ? row.get(STATE).s() : "UNDEFINED";
        if (!PeeringState.valueOf(state).isConnected()) {
            return "peering " + peering.id() + " is " + state + " here";
        }
        return "peering " + peering.id() + " already took a newer message (sequence "
                + (row.containsKey(LAST_PEER_MESSAGE_SEQ) ? row.get(LAST_PEER_MESSAGE_SEQ).n() : "?") + "; this one " + messageSeq + ")";
    }

    /**
     * The rule "an older exported-services list never undoes a newer one", for an update: takes the view
     * {@code viewedAt} of the peer's exports as the newest, when it is not older than that of the newest list taken,
     * without changing what is imported. An update that makes a new service visible takes its view first, so an
     * older list in flight is refused, or stops where it was ({@link ImportedDataStore#applyServiceList}).
     * Connected rows only; does not bump the index.
     *
     * @param viewedAt when the exporter read its exports for the message (its clock, epoch milliseconds)
     * @return true when the view was taken (it is the newest)
     */
    public boolean takeExportList(Peering peering, long viewedAt) {
        return recordLiveness(peering, "SET #listIndex = :listIndex", names("#listIndex", EXPORT_LIST_INDEX),
                Map.of(":listIndex", n(viewedAt)), NOT_OLDER_LIST);
    }

    /**
     * The rule "an older exported-services list never undoes a newer one": takes the peer's list when it was made
     * from a view not older than that of the newest list taken (lists of concurrent resyncs can arrive out of
     * order, and the peer's heartbeat resync may work from a view a moment old), and in the same write records what
     * it says: the services it exports to us (StreamStatus.ImportedServices; reads stop showing a dropped service
     * at once), its CA roots (PeerCAPems, and the CA its later messages are checked against, so a rotated CA carries
     * over) and, for a dialer, the acceptor's current server addresses. Advances the partition's peerings index
     * when ImportedServices changed. The list's service heads are applied after, each only while this list is
     * still the newest taken ({@link ImportedDataStore#applyServiceList}).
     *
     * @param viewedAt the list's {@code ViewedAt}, the exporter's clock in epoch milliseconds
     * @param services the services the list names
     * @param roots    the peer's CA roots, PEM (empty: keep the stored ones)
     * @param serverAddresses the acceptor's server addresses, for a dialer (empty: keep the stored ones)
     * @return true when the list was taken and may be applied; false when a newer one was taken, or the row is no
     *         longer connected
     */
    public boolean takeExportList(Peering peering, long viewedAt, List<String> services, List<String> roots,
                                  List<String> serverAddresses) {
        List<String> sorted = services.stream().sorted().toList();
        StringBuilder update = new StringBuilder("SET #listIndex = :listIndex, #imported = :services");
        Map<String, String> names = new HashMap<>(Map.of("#listIndex", EXPORT_LIST_INDEX, "#imported", IMPORTED_SERVICES));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":listIndex", n(viewedAt), ":services", Attributes.list(sorted)));
        if (!roots.isEmpty()) {
            update.append(", #roots = :roots");
            names.put("#roots", PEER_CA_PEMS);
            values.put(":roots", Attributes.list(roots));
        }
        if (peering.role() == PeeringRole.DIALER && !serverAddresses.isEmpty()) {
            update.append(", #addresses = :addresses");
            names.put("#addresses", PEER_SERVER_ADDRESSES);
            values.put(":addresses", Attributes.list(serverAddresses));
        }
        Write write = writeConnected(peering, update.toString(), names, values, NOT_OLDER_LIST, ReturnValue.UPDATED_OLD);
        if (!write.written()) {
            return false;
        }
        if (!strings(write.attributes(), IMPORTED_SERVICES).stream().sorted().toList().equals(sorted)) {
            // The partition's imported-services list changed: wake its blocking readers.
            showChange(peering);
        }
        return true;
    }

    /** The condition of taking a list or a view: none taken yet, or the newest taken is not newer. */
    private static final String NOT_OLDER_LIST = " AND (attribute_not_exists(#listIndex) OR #listIndex <= :listIndex)";

    /**
     * Records a heartbeat round trip we started: ours was delivered (LastSend) and the peer's signed answer,
     * itself a heartbeat bound to ours, arrived (LastHeartbeat, LastReceive). The answer's freshness was checked
     * by its binding to our heartbeat, so the peer's message sequence is left alone.
     *
     * @return false when the row is no longer connected
     */
    public boolean recordHeartbeatRoundTrip(Peering peering, Instant at) {
        return recordLiveness(peering, "SET #lastReceive = :at, #lastHeartbeat = :at, #lastSend = :at",
                names("#lastReceive", LAST_RECEIVE, "#lastHeartbeat", LAST_HEARTBEAT, "#lastSend", LAST_SEND),
                Map.of(":at", instant(at)), "");
    }

    /**
     * Adds one service to StreamStatus.ImportedServices (a new service behind the peer's wildcard, first seen in an
     * update), unless it is there; wakes the partition's imported-services readers.
     *
     * @param viewedAt the update's view of the peer's exports, as taken ({@link #takeExportList(Peering, long)}):
     *                 added only while no newer list was taken since (that list decided); empty when the message
     *                 carries no view (a chunk of a service a taken list named)
     * @return true when this call added it
     */
    public boolean addImportedService(Peering peering, String service, OptionalLong viewedAt) {
        Map<String, String> names = new HashMap<>(names("#imported", IMPORTED_SERVICES));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":service", s(service),
                ":services", Attributes.list(List.of(service)), ":none", Attributes.list(List.of())));
        String condition = " AND NOT contains(#imported, :service)";
        if (viewedAt.isPresent()) {
            names.put("#listIndex", EXPORT_LIST_INDEX);
            values.put(":listIndex", n(viewedAt.getAsLong()));
            condition += " AND #listIndex = :listIndex";
        }
        if (!recordLiveness(peering, "SET #imported = list_append(if_not_exists(#imported, :none), :services)",
                names, values, condition)) {
            return false;
        }
        showChange(peering);
        return true;
    }

    /**
     * Records StreamStatus.ExportedServices after the peer took our service list, advancing the peerings counter
     * when the list changed. While a CA rotation runs ({@code rootsFingerprint} given), also records which roots the
     * peer took with it and when ({@link #rootsAcknowledged}); otherwise an unchanged list writes nothing.
     *
     * @param rootsFingerprint the fingerprint of the roots the list carried, or null when no rotation runs
     * @return false when the row is no longer connected
     */
    public boolean recordExport(Peering peering, List<String> services, String rootsFingerprint) {
        List<String> sorted = services.stream().sorted().toList();
        boolean listChanged = !sorted.equals(peering.liveness().exportedServices());
        if (!listChanged && rootsFingerprint == null) {
            return true;
        }
        boolean recorded = rootsFingerprint == null
                ? recordLiveness(peering, "SET #exported = :services", names("#exported", EXPORTED_SERVICES),
                        Map.of(":services", Attributes.list(sorted)), "")
                : recordLiveness(peering, "SET #exported = :services, #rootsAcked = :roots, #rootsAckedAt = :at",
                        names("#exported", EXPORTED_SERVICES, "#rootsAcked", PeeringItems.ROOTS_ACKED,
                                "#rootsAckedAt", PeeringItems.ROOTS_ACKED_AT),
                        Map.of(":services", Attributes.list(sorted), ":roots", Attributes.s(rootsFingerprint),
                                ":at", instant(Instant.now())), "");
        if (recorded && listChanged) {
            showChange(peering);
        }
        return recorded;
    }

    /**
     * Which CA roots each peering of a partition last acknowledged (one query of the partition's peering rows).
     *
     * @return peer name → the acknowledgement; peerings that never acknowledged during a rotation map to an empty one
     */
    public Map<String, RootsAck> rootsAcknowledged(String partition) {
        Map<String, RootsAck> acks = new java.util.TreeMap<>();
        Batches.query(dynamoDb, software.amazon.awssdk.services.dynamodb.model.QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND begins_with(#sk, :name)")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", Attributes.s(TableKeys.peeringPartition(partition)),
                        ":name", Attributes.s(TableKeys.NAME_PREFIX)))
                .consistentRead(true)
                .build(), page -> page.forEach(item -> acks.put(Attributes.string(item, PeeringItems.NAME),
                        new RootsAck(Attributes.string(item, PeeringItems.STATE),
                                Attributes.string(item, PeeringItems.ROOTS_ACKED),
                                Attributes.instant(item, PeeringItems.ROOTS_ACKED_AT)))));
        return acks;
    }

    /**
     * A peering's acknowledgement of our CA roots.
     *
     * @param state       the peering's stored state
     * @param fingerprint the fingerprint of the roots its peer last took, or null
     * @param at          when, or null
     */
    public record RootsAck(String state, String fingerprint, Instant at) {
    }

    /** Records that a message other than a heartbeat arrived from the peer. @return false when not connected */
    public boolean recordReceived(Peering peering, Instant at) {
        return recordLiveness(peering, "SET #lastReceive = :at", names("#lastReceive", LAST_RECEIVE),
                Map.of(":at", instant(at)), "");
    }

    /** Records a message delivered to the peer. @return false when the row is no longer connected */
    public boolean recordSent(Peering peering, Instant at) {
        return recordLiveness(peering, "SET #lastSend = :at", names("#lastSend", LAST_SEND), Map.of(":at", instant(at)), "");
    }

    /**
     * Records why a message to the peer failed (a short text, never a secret).
     *
     * @return false when the row is no longer connected
     */
    public boolean recordSendFailure(Peering peering, Instant at, String error) {
        return recordLiveness(peering, "SET #lastError = :error, #lastErrorAt = :at",
                names("#lastError", LAST_ERROR, "#lastErrorAt", LAST_ERROR_AT),
                Map.of(":at", instant(at), ":error", s(error)), "");
    }

    /**
     * Records the round trip of a heartbeat the peer accepted: the window of the latest round trips
     * ({@link io.clusterpeering.domain.LinkLatency}) moves on by one. Only connected rows record it; the index is
     * not bumped.
     *
     * @param roundTripMillis from sending the heartbeat to the peer's answer, in milliseconds
     * @return false when the row is no longer connected
     */
    public boolean recordHeartbeatRoundTrip(Peering peering, long roundTripMillis) {
        return recordLiveness(peering, "SET #rtts = :rtts", names("#rtts", HEARTBEAT_RTTS),
                Map.of(":rtts", numberList(peering.liveness().latency().plus(roundTripMillis).samples())), "");
    }

    /**
     * Rule: a failure episode is reported once. Marks a connected row as having its FAILING event in the audit
     * trail, unless it already has one without its recovery. Marking advances the partition's peerings index, so
     * blocking reads of the peering and the list (the Peers page) wake and show FAILING once per episode.
     *
     * @param episode the last successful contact before the failure, the episode's identity
     * @return true when this call marked it
     */
    public boolean markFailingReported(Peering peering, Instant episode) {
        boolean marked = recordLiveness(peering, "SET #failingSince = :episode", names("#failingSince", FAILING_SINCE),
                Map.of(":episode", instant(episode)), " AND attribute_not_exists(#failingSince)");
        if (marked) {
            showChange(peering);
        }
        return marked;
    }

    /**
     * Rule: a recovery ends the episode it recovers from, once. Clears the FAILING mark of that episode on the
     * connected row and, like
     * {@link #markFailingReported}, advances the partition's peerings index so that watchers see it ACTIVE again.
     *
     * @return true when this call cleared it
     */
    public boolean clearFailingReported(Peering peering, Instant episode) {
        boolean cleared = recordLiveness(peering, "REMOVE #failingSince", names("#failingSince", FAILING_SINCE),
                Map.of(":episode", instant(episode)), " AND #failingSince = :episode");
        if (cleared) {
            showChange(peering);
        }
        return cleared;
    }

    /**
     * Rule: a row's ModifyIndex only moves forward. Shows a change of what a read of the peering answers (its
     * FAILING mark, its imported or exported services) in the row's ModifyIndex, taken from the partition's
     * peerings counter, so that a blocking read of this peering (which waits on its row, as Consul's
     * {@code PeeringRead} does) wakes; then advances the counter again for the list's readers
     * ({@link ConsulIndex#nextAfterWrite}). The change itself has landed when this runs, so a failure here is
     * logged, not thrown; a row gone or already at a newer index is left as it is.
     */
    private void showChange(Peering peering) {
        IndexScope scope = IndexScope.peerings(peering.partition());
        try {
            long modifyIndex = index.next(scope);
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(TableKeys.peering(peering.key()))
                    .conditionExpression("#id = :id AND #modifyIndex < :modifyIndex")
                    .updateExpression("SET #modifyIndex = :modifyIndex")
                    .expressionAttributeNames(names("#id", ID, "#modifyIndex", MODIFY_INDEX))
                    .expressionAttributeValues(Map.of(":id", s(peering.id()), ":modifyIndex", n(modifyIndex))).build());
        } catch (ConditionalCheckFailedException e) {
            // deleted, replaced, or moved past this index by a newer change: nothing to show
        } catch (SdkException e) {
            LOG.warn("the ModifyIndex of peering {} was not advanced after a change: {}", peering.id(), e.getMessage());
        }
        index.nextAfterWrite(scope);
    }

    private boolean recordLiveness(Peering peering, String update, Map<String, String> names,
                                   Map<String, AttributeValue> values, String extraCondition) {
        return recordLivenessOrHeld(peering, update, names, values, extraCondition) == null;
    }

    /**
     * The conditional write of the methods that need no values back.
     *
     * @return null when written; else the row as it stood when the condition failed (empty when there is none)
     */
    private Map<String, AttributeValue> recordLivenessOrHeld(Peering peering, String update, Map<String, String> names,
                                                             Map<String, AttributeValue> values, String extraCondition) {
        Write write = writeConnected(peering, update, names, values, extraCondition, ReturnValue.NONE);
        return write.written() ? null : write.attributes();
    }

    /**
     * A conditional write's outcome.
     *
     * @param written    whether the condition held and the update was made
     * @param attributes when written, what {@code ReturnValues} asked for; else the row as it stood (empty if none)
     */
    private record Write(boolean written, Map<String, AttributeValue> attributes) {
    }

    /**
     * The conditional write every method here makes: the row is this peering (its ID) and connected, plus the
     * method's own condition.
     */
    private Write writeConnected(Peering peering, String update, Map<String, String> names,
                                 Map<String, AttributeValue> values, String extraCondition, ReturnValue returnValues) {
        Map<String, String> allNames = new HashMap<>(names);
        allNames.put("#id", ID);
        allNames.put("#state", STATE);
        Map<String, AttributeValue> allValues = new HashMap<>(values);
        allValues.put(":id", s(peering.id()));
        allValues.put(":establishing", s(PeeringState.ESTABLISHING.name()));
        allValues.put(":active", s(PeeringState.ACTIVE.name()));
        try {
            return new Write(true, dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table)
                    .key(TableKeys.peering(peering.key()))
                    .conditionExpression("#id = :id AND #state IN (:establishing, :active)" + extraCondition)
                    .updateExpression(update)
                    .returnValues(returnValues)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .expressionAttributeNames(allNames).expressionAttributeValues(allValues).build()).attributes());
        } catch (ConditionalCheckFailedException e) {
            return new Write(false, e.hasItem() ? e.item() : Map.of());
        }
    }
}
