package io.clusterpeering.http;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.PeeringStatus;
import io.clusterpeering.http.ConsulShapes.PeeringView;
import io.clusterpeering.http.ConsulShapes.RemoteView;
import io.clusterpeering.http.ConsulShapes.StreamStatusView;

import java.time.Duration;
import java.time.Instant;

/**
 * Shapes a stored peering as Consul's {@code api.Peering}: the shown state (ACTIVE or FAILING from the
 * liveness), StreamStatus, and Consul's visibility rules: PeerID, PeerServerName and PeerServerAddresses only
 * on dialer rows; Meta, PeerID, PeerCAPems and PeerServerName dropped once DELETING.
 */
public final class PeeringViews {
    private PeeringViews() {
    }

    /** Consul shows {@code null}, not {@code []}, when a peering imports or exports nothing. */
    private static java.util.List<String> nullWhenEmpty(java.util.List<String> services) {
        return services.isEmpty() ? null : services;
    }

    /**
     * @param peering          the stored row
     * @param now              the time of the read
     * @param heartbeatTimeout the silence after which an ACTIVE peering reads FAILING
     */
    public static PeeringView of(Peering peering, Instant now, Duration heartbeatTimeout) {
        return of(peering, now, heartbeatTimeout, null);
    }

    /**
     * @param importedItemsLeft for a DELETING or TERMINATED row, how many imported items are left to purge;
     *                          null to leave it out
     */
    public static PeeringView of(Peering peering, Instant now, Duration heartbeatTimeout, Integer importedItemsLeft) {
        PeeringState shown = PeeringStatus.shownState(peering, now, heartbeatTimeout);
        boolean deleting = peering.state() == PeeringState.DELETING;
        boolean dialer = peering.role() == PeeringRole.DIALER;
        var liveness = peering.liveness();
        return new PeeringView(peering.id(), peering.name(), peering.partition(), peering.deletedAt(),
                deleting ? null : peering.meta(), shown.name(),
                dialer && !deleting ? peering.peerId() : null,
                deleting ? null : peering.peerCaPems(),
                dialer && !deleting ? peering.peerServerName() : null,
                dialer ? peering.peerServerAddresses() : null,
                new StreamStatusView(nullWhenEmpty(liveness.importedServices()), nullWhenEmpty(liveness.exportedServices()),
                        liveness.lastHeartbeat(), liveness.lastReceive(), liveness.lastSend(),
                        PeeringStatus.failureReason(peering, now, heartbeatTimeout), importedItemsLeft,
                        liveness.latency().isEmpty() || !peering.state().isConnected() ? null
                                : new ConsulShapes.LinkLatencyView(liveness.latency().samples().size(),
                                liveness.latency().p50(), liveness.latency().p99())),
                peering.createIndex(), peering.modifyIndex(),
                new RemoteView(peering.remote().partition(), peering.remote().datacenter()));
    }
}
