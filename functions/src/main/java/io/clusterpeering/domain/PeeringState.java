package io.clusterpeering.domain;

/**
 * The states of a peering, with Consul's names ({@code api.PeeringState}).
 *
 * <p>Stored: PENDING (acceptor: token generated, no dialer yet), ESTABLISHING (dialer: secret exchanged,
 * first heartbeat not yet answered), ACTIVE, DELETING, TERMINATED (the peer deleted its side). FAILING is
 * never stored: {@link PeeringStatus#shownState} derives it from the persisted liveness timestamps.
 */
public enum PeeringState {
    UNDEFINED, PENDING, ESTABLISHING, ACTIVE, FAILING, DELETING, TERMINATED;

    /** True for the states in which the two clusters exchange heartbeats. */
    public boolean isConnected() {
        return this == ESTABLISHING || this == ACTIVE;
    }
}
