package io.clusterpeering.peer;

/**
 * A verified message from a peer.
 *
 * @param kind          what it asks of the receiver
 * @param fromPeeringId the sender's peering ID
 * @param toPeeringId   the receiver's peering ID
 * @param seq           the sender's sequence number: its clock in milliseconds when it signed; a receiver
 *                      takes only heartbeats and terminations newer than the last one, so a replay changes nothing
 * @param body          for the replication kinds, the body ({@link ReplicationMessages}); else null
 */
public record PeerMessage(Kind kind, String fromPeeringId, String toPeeringId, long seq,
                          java.util.Map<String, Object> body) {
    /** What a message asks of the receiver. */
    public enum Kind {
        /** The sender is alive: record it. */
        HEARTBEAT,
        /** The sender deleted its side: mark ours TERMINATED (Consul's {@code Terminated} message). */
        TERMINATE,
        /**
         * The services the sender exports to us, with their digests ({@link ReplicationMessages.ServiceList}):
         * apply the list and answer which services differ.
         */
        EXPORTED_SERVICES,
        /** Changed instances of one service ({@link ReplicationMessages.ServiceUpdate}): apply what is newer. */
        SERVICE_UPDATE,
        /** One range of a service's instances ({@link ReplicationMessages.ServiceChunk}): make our range match. */
        SERVICE_SNAPSHOT,
        /**
         * The sender asks what we hold of the services between us (no body): answered with our view, for the
         * per-service sync status. Changes nothing.
         */
        SYNC_STATUS
    }
}
