package io.clusterpeering.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * The one place that decides what state a reader sees. Applies to connected peerings (ACTIVE, and
 * ESTABLISHING, which never reached its peer after the exchange). Consul shows ACTIVE while its leader holds a
 * connected stream and FAILING after the stream ended with an error; we derive the same answer from the
 * persisted {@link Liveness}, and also say why a peering is failing (Consul only logs it).
 */
public final class PeeringStatus {
    private PeeringStatus() {
    }

    /**
     * The state to show for a stored peering at a given moment.
     *
     * @param peering          the stored row
     * @param now              the current time
     * @param heartbeatTimeout how long without hearing from the peer before an ACTIVE peering reads FAILING
     * @return FAILING for an ACTIVE or ESTABLISHING row that has not heard from its peer within the timeout, or whose last
     *         attempt to reach the peer failed; otherwise the stored state
     */
    public static PeeringState shownState(Peering peering, Instant now, Duration heartbeatTimeout) {
        return failureReason(peering, now, heartbeatTimeout) == null ? peering.state() : PeeringState.FAILING;
    }

    /**
     * Why an ACTIVE peering reads FAILING, or null when it does not.
     *
     * @return a sentence naming the cause: the last error reaching the peer, or the silence and its length
     */
    public static String failureReason(Peering peering, Instant now, Duration heartbeatTimeout) {
        if (!peering.state().isConnected()) {
            return null;
        }
        Liveness liveness = peering.liveness();
        Instant lastSuccess = latest(liveness.lastReceive(), liveness.lastSend());
        if (liveness.lastError() != null && liveness.lastErrorAt() != null
                && (lastSuccess == null || liveness.lastErrorAt().isAfter(lastSuccess))) {
            return "the last message to the peer failed: " + liveness.lastError();
        }
        Instant lastHeard = liveness.lastReceive();
        if (lastHeard == null || Duration.between(lastHeard, now).compareTo(heartbeatTimeout) > 0) {
            return "no heartbeat received from the peer for more than " + heartbeatTimeout.toSeconds() + " s"
                    + (lastHeard == null ? "" : " (last contact " + lastHeard + ")");
        }
        return null;
    }

    private static Instant latest(Instant a, Instant b) {
        if (a == null) {
            return b;
        }
        return b == null || a.isAfter(b) ? a : b;
    }
}
