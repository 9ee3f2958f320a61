package io.clusterpeering.service;

import java.time.Instant;
import java.util.OptionalLong;

/**
 * The replication lag of a service update or snapshot chunk: from the moment the exporter's stream handler received the change (or, for a
 * heartbeat resync, read its catalog) to the moment the importer applied it. The exporter stamps that time into the
 * message as {@code ChangedAt} (epoch milliseconds, {@code ReplicationMessages.ServiceUpdate#changedAt}); the importer compares it with its own clock, so the figure
 * includes any clock skew between the two clusters (the pre-flight check measures that skew), and is never below
 * zero. The table stream's own delivery delay is not included: a stream record's creation time is rounded to the
 * second in AWS and coarser still in DynamoDB Local, too coarse for a figure in milliseconds.
 */
public final class ReplicationLag {
    private ReplicationLag() {
    }

    /**
     * The lag in milliseconds of a message applied at {@code appliedAt}; empty when it carries no change time.
     *
     * @param changedAt the message's change time, epoch milliseconds on the exporter's clock
     */
    public static OptionalLong of(OptionalLong changedAt, Instant appliedAt) {
        if (changedAt.isPresent()) {
            return OptionalLong.of(Math.max(0, appliedAt.toEpochMilli() - changedAt.getAsLong()));
        }
        return OptionalLong.empty();
    }
}
