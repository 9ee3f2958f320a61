package io.clusterpeering.domain;

import java.time.Instant;

/**
 * One entry of the audit trail: a lifecycle event of a peering (or a config-entry or ACL change), recorded once,
 * never changed, kept for the audit retention. Never carries a token, a secret or a secret's hash.
 *
 * @param time      when it happened (UTC)
 * @param actor     who caused it: the ACL token's AccessorID, {@code anonymous} (no token, or ACLs off),
 *                  {@code peer} (a message from the peer cluster) or {@code system} (the heartbeat round, the
 *                  deletion handler)
 * @param partition the partition of the peering (or of the config entry)
 * @param peering   the local peer name, or empty for cluster-wide events (ACL changes)
 * @param peeringId this cluster's peering ID, or empty when there is none (yet)
 * @param event     what happened, one of the {@code EVENT_*} names of {@link Kind}
 * @param outcome   {@code attempted}, {@code success}, {@code refused} or {@code failure}
 * @param detail    a short human sentence: why, with whom, what changed
 * @param count     a number the event carries (items purged), or null
 */
public record AuditEvent(Instant time, String actor, String partition, String peering, String peeringId,
                         String event, String outcome, String detail, Long count) {

    /** The actor of events caused by a message from the peer cluster. */
    public static final String PEER = "peer";
    /** The actor of events the system detects on its own (heartbeat round, deletion handler). */
    public static final String SYSTEM = "system";
    /** The actor shown for Consul's anonymous token, and for every request while ACLs are off. */
    public static final String ANONYMOUS = "anonymous";

    public AuditEvent {
        partition = partition == null || partition.isBlank() ? PeeringKey.DEFAULT_PARTITION : partition;
        peering = peering == null ? "" : peering;
        peeringId = peeringId == null ? "" : peeringId;
        detail = detail == null ? "" : detail;
    }

    /** The kinds of event, with their wire names. */
    public enum Kind {
        TOKEN_GENERATED("token-generated"),
        TOKEN_REVOKED("token-revoked"),
        ESTABLISH_ATTEMPTED("establish-attempted"),
        ESTABLISH_SUCCEEDED("establish-succeeded"),
        ESTABLISH_REFUSED("establish-refused"),
        /** Acceptor side: a dialer presented this peering's token (consumed, or refused). */
        SECRET_EXCHANGE("secret-exchange"),
        STATE_ACTIVE("state-active"),
        STATE_FAILING("state-failing"),
        STATE_RECOVERED("state-recovered"),
        STATE_TERMINATED("state-terminated"),
        DELETE_REQUESTED("delete-requested"),
        PURGE_FINISHED("purge-finished"),
        CONFIG_ENTRY_WRITTEN("config-entry-written"),
        CONFIG_ENTRY_DELETED("config-entry-deleted"),
        ACL_CHANGED("acl-changed");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        /** The name as it appears in {@code Event}. */
        public String wireName() {
            return wireName;
        }
    }

    /** Outcomes. */
    public static final String ATTEMPTED = "attempted";
    public static final String SUCCESS = "success";
    public static final String REFUSED = "refused";
    public static final String FAILURE = "failure";
}
