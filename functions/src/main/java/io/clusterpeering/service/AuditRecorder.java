package io.clusterpeering.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.store.AuditStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The one audit recorder: the use cases call it (never the handlers) for every lifecycle event. Each event is
 * appended once to the audit trail ({@link AuditStore}, kept for {@code peering.audit-retention}) and written as
 * one structured log line (logger {@code io.clusterpeering.audit}, the event as a JSON object). Recording never
 * fails the use case: a store failure is logged and the call goes on.
 *
 * <p>The event's ID is a SHA-256 of what makes it unique, which the caller names ({@code uniqueKey}): for events
 * of one request a random attempt ID; for events a retry or a redelivered stream record can repeat, their natural
 * identity (the peering ID and the failure episode, the termination's sequence number, the deletion's index), so
 * the repetition finds the event already recorded.
 */
@Singleton
public class AuditRecorder {
    private static final Logger LOG = LoggerFactory.getLogger("io.clusterpeering.audit");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuditStore store;
    private final PeeringConfiguration config;

    public AuditRecorder(AuditStore store, PeeringConfiguration config) {
        this.store = store;
        this.config = config;
    }

    /**
     * The actor to record for a request's caller: its AccessorID, or {@code anonymous} for Consul's anonymous
     * token (which every request has while ACLs are off).
     */
    public static String actorOf(Caller caller) {
        return caller == null ? AuditEvent.ANONYMOUS : actorOf(caller.accessorId());
    }

    /** As {@link #actorOf(Caller)}, from an AccessorID. */
    public static String actorOf(String accessorId) {
        return accessorId == null || accessorId.isEmpty() || Caller.ANONYMOUS_ACCESSOR_ID.equals(accessorId)
                ? AuditEvent.ANONYMOUS : accessorId;
    }

    /**
     * Records an event of a peering once.
     *
     * @param uniqueKey what makes the event unique (hashed into its ID)
     * @param actor     who caused it ({@link #actorOf}, {@link AuditEvent#PEER}, {@link AuditEvent#SYSTEM})
     * @param key       the peering's partition and name
     * @param peeringId this cluster's peering ID, or null when there is none yet
     * @param kind      what happened
     * @param outcome   {@link AuditEvent#SUCCESS} and the others
     * @param detail    a short sentence; never a token or secret
     * @param count     a number the event carries, or null
     * @return true when it was recorded now; false when it was already recorded, or could not be stored
     */
    public boolean record(String uniqueKey, String actor, PeeringKey key, String peeringId, AuditEvent.Kind kind,
                          String outcome, String detail, Long count) {
        return record(uniqueKey, new AuditEvent(Instant.now(), actor, key.partition(), key.name(), peeringId,
                kind.wireName(), outcome, detail, count));
    }

    /** Records a cluster-wide event (an ACL change) once; it has no peering and belongs to no peering's trail. */
    public boolean recordClusterWide(String uniqueKey, String actor, AuditEvent.Kind kind, String outcome, String detail) {
        return record(uniqueKey, new AuditEvent(Instant.now(), actor, PeeringKey.DEFAULT_PARTITION, "", null,
                kind.wireName(), outcome, detail, null));
    }

    private boolean record(String uniqueKey, AuditEvent event) {
        boolean recorded;
        try {
            recorded = store.appendOnce(event, eventId(event.event() + "|" + uniqueKey), config.getAuditRetention());
        } catch (RuntimeException e) {
            LOG.warn("audit event {} of peering {} could not be stored: {}", event.event(), event.peering(), e.getMessage());
            return false;
        }
        if (recorded) {
            LOG.info(line(event));
        }
        return recorded;
    }

    /** The event as one JSON object: {@code {"audit":{"Time":...,"Event":...}}}. */
    static String line(AuditEvent event) {
        ObjectNode audit = JSON.createObjectNode();
        audit.put("Time", event.time().toString());
        audit.put("Event", event.event());
        audit.put("Outcome", event.outcome());
        audit.put("Actor", event.actor());
        audit.put("Peering", event.peering());
        audit.put("PeeringID", event.peeringId());
        audit.put("Partition", event.partition());
        audit.put("Detail", event.detail());
        if (event.count() != null) {
            audit.put("Count", event.count());
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("audit", audit);
        return root.toString();
    }

    private static String eventId(String uniqueKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(uniqueKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
