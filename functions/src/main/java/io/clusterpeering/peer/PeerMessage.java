package io.clusterpeering.peer;

/**
 * A verified message from a peer.
 *
 * @param kind          heartbeat or termination
 * @param fromPeeringId the sender's peering ID
 * @param toPeeringId   the receiver's peering ID
 * @param seq           the sender's sequence number: its clock in milliseconds when it signed; a receiver
 *                      takes only messages newer than the last one, so a replay changes nothing
 * @param snapshot      for REPLICATION, the {@link ReplicationSnapshot} claim; else null
 */
public record PeerMessage(Kind kind, String fromPeeringId, String toPeeringId, long seq,
                          java.util.Map<String, Object> snapshot) {
    /** What a message asks of the receiver. */
    public enum Kind {
        /** The sender is alive: record it. */
        HEARTBEAT,
        /** The sender deleted its side: mark ours TERMINATED (Consul's {@code Terminated} message). */
        TERMINATE,
        /** What the sender exports to us, whole: apply it. */
        REPLICATION
    }
}
