package io.clusterpeering.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The replication lag of a service update or snapshot chunk: from the moment the exporter's stream handler received the change (or, for a
 * heartbeat resync, read its catalog) to the moment the importer applied it. The exporter stamps that time into the
 * snapshot as {@code ChangedAt} (epoch milliseconds); the importer compares it with its own clock, so the figure
 * includes any clock skew between the two clusters (the pre-flight check measures that skew), and is never below
 * zero. The table stream's own delivery delay is not included: a stream record's creation time is rounded to the
 * second in AWS and coarser still in DynamoDB Local, too coarse for a figure in milliseconds.
 */
public final class ReplicationLag {
    /** The snapshot key that carries the change time. */
    static final String CHANGED_AT = "ChangedAt";

    private ReplicationLag() {
    }

    /** The snapshot claim with the change time added. */
    public static Map<String, Object> stamp(Map<String, Object> claim, Instant changedAt) {
        Map<String, Object> stamped = new LinkedHashMap<>(claim);
        stamped.put(CHANGED_AT, changedAt.toEpochMilli());
        return stamped;
    }

    /** The lag in milliseconds of a snapshot applied at {@code appliedAt}; empty when it carries no change time. */
    public static OptionalLong of(Map<String, Object> claim, Instant appliedAt) {
        if (claim != null && claim.get(CHANGED_AT) instanceof Number changedAt) {
            return OptionalLong.of(Math.max(0, appliedAt.toEpochMilli() - changedAt.longValue()));
        }
        return OptionalLong.empty();
    }
}
