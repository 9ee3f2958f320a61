package io.clusterpeering.service;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The replication lag of a snapshot: from the change on the exporter (the time of the table's stream record that
 * triggered the push, or the snapshot's read time for a heartbeat resync) to the moment the importer applied it.
 * The exporter stamps the time into the snapshot as {@code ChangedAt} (epoch milliseconds); the importer compares
 * it with its own clock, so the figure includes any clock skew between the two clusters (the pre-flight check
 * measures that skew), and is never below zero. DynamoDB Streams gives record times to the second, so a lag in AWS
 * may read up to one second high.
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
