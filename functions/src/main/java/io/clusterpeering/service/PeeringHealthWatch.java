package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.Liveness;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringStatus;
import io.clusterpeering.store.StreamStatusStore;
import jakarta.inject.Singleton;

import java.time.Instant;

/**
 * What the heartbeat path records about a link beyond Consul's stream status: the FAILING and recovered
 * transitions in the audit trail (each once), the round trip of each delivered heartbeat (the
 * {@link io.clusterpeering.domain.LinkLatency} window on the peering row, and the metric), the health gauges, and
 * a row turning ACTIVE. Called from {@link HeartbeatService} and {@link PeeringService} with one line each.
 *
 * <p>FAILING is computed on read ({@link PeeringStatus}), never stored, so the transition is detected by the heartbeat
 * round: a connected peering that reads FAILING and has no reported episode gets a {@code state-failing} event and
 * its row is marked with the episode (the last successful contact before the failure); one that reads healthy with a
 * marked episode gets {@code state-recovered} and the mark is cleared. The event is written before the mark, with an
 * ID derived from the peering and the episode, so a crash between the two repeats nothing on the next round.
 */
@Singleton
public class PeeringHealthWatch {
    private final StreamStatusStore store;
    private final AuditRecorder audit;
    private final PeeringMetrics metrics;
    private final PeeringConfiguration config;

    public PeeringHealthWatch(StreamStatusStore store, AuditRecorder audit, PeeringMetrics metrics, PeeringConfiguration config) {
        this.store = store;
        this.audit = audit;
        this.metrics = metrics;
        this.config = config;
    }

    /**
     * Looks at one connected peering as the heartbeat round read it: records a FAILING or recovered transition
     * once, and writes its health gauges (EMF, in AWS).
     */
    public void observe(Peering peering, Instant now) {
        String reason = PeeringStatus.failureReason(peering, now, config.getHeartbeatTimeout());
        Instant reported = peering.liveness().failingSince();
        if (reason != null && reported == null) {
            Instant episode = lastSuccess(peering.liveness());
            audit.record("failing|" + peering.id() + "|" + episode, AuditEvent.SYSTEM, peering.key(), peering.id(),
                    AuditEvent.Kind.STATE_FAILING, AuditEvent.FAILURE, reason, null);
            store.markFailingReported(peering, episode);
        } else if (reason == null && reported != null) {
            audit.record("recovered|" + peering.id() + "|" + reported, AuditEvent.SYSTEM, peering.key(), peering.id(),
                    AuditEvent.Kind.STATE_RECOVERED, AuditEvent.SUCCESS,
                    "the peer answers again (failing since the last contact at " + reported + ")", null);
            store.clearFailingReported(peering, reported);
        }
        metrics.peeringGauges(peering, reason == null);
    }

    /** A heartbeat the peer accepted after {@code roundTripMillis}: moves the latency window and records the metric. */
    public void heartbeatDelivered(Peering peering, long roundTripMillis) {
        store.recordHeartbeatRoundTrip(peering, roundTripMillis);
        metrics.heartbeatRoundTrip(peering, roundTripMillis, peering.liveness().latency().plus(roundTripMillis));
    }

    /**
     * The row just turned ACTIVE ({@code promoteToActive} answered true): records {@code state-active} once for this
     * establishment (identified by the ESTABLISHING row's ModifyIndex).
     */
    public void activated(Peering peering, String detail) {
        audit.record("active|" + peering.id() + "|" + peering.modifyIndex(), AuditEvent.PEER, peering.key(), peering.id(),
                AuditEvent.Kind.STATE_ACTIVE, AuditEvent.SUCCESS, detail, null);
    }

    private static Instant lastSuccess(Liveness liveness) {
        Instant receive = liveness.lastReceive();
        Instant send = liveness.lastSend();
        if (receive == null) {
            return send == null ? Instant.EPOCH : send;
        }
        return send == null || receive.isAfter(send) ? receive : send;
    }
}
