package io.clusterpeering.service;

import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeerNotAuthenticated;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.peer.ReplicationMessages;
import io.clusterpeering.peer.ReplicationMessages.ReplicationBody;
import io.clusterpeering.peer.ReplicationMessages.ServiceChunk;
import io.clusterpeering.peer.ReplicationMessages.ServiceList;
import io.clusterpeering.peer.ReplicationMessages.ServiceUpdate;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.StreamStatusStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;

/**
 * What arrives from a peer on {@code /v1/internal/peering/message} (Consul's peer stream, as signed messages): a
 * heartbeat, answered with ours and recorded; a termination, which ends our side; or a replication message, decoded
 * and handed to the importer ({@link ImportService}). Authenticated by the signature against the CA pinned at
 * establishment, never by an ACL token.
 */
@Singleton
public class PeerMessageService {
    private static final Logger LOG = LoggerFactory.getLogger(PeerMessageService.class);

    private final PeeringStore store;
    private final StreamStatusStore streamStatus;
    private final PeerMessages messages;
    private final ImportService importer;
    private final AuditRecorder audit;
    private final PeeringHealthWatch health;
    private final SyncStatusService syncStatus;

    public PeerMessageService(PeeringStore store, StreamStatusStore streamStatus, PeerMessages messages,
                              ImportService importer, AuditRecorder audit, PeeringHealthWatch health,
                              SyncStatusService syncStatus) {
        this.store = store;
        this.streamStatus = streamStatus;
        this.messages = messages;
        this.importer = importer;
        this.audit = audit;
        this.health = health;
        this.syncStatus = syncStatus;
    }

    /**
     * Takes a message from a peer (heartbeat, termination, or replication), after checking its signature against
     * the CA pinned for that peer. A heartbeat is answered with our own signed heartbeat, bound to it
     * ({@code InReplyTo}), and recorded with that answer: LastHeartbeat, LastReceive and LastSend.
     *
     * @return the answer to send back: for a heartbeat {@code {"Heartbeat": "<our signed heartbeat>"}}; for the
     *         peer's exported service list {@code {"Resend": [services whose digest differs from ours]}}; for a
     *         sync status question our half of the status ({@link SyncStatusService#answerPeer}); otherwise {@code {}}
     * @throws PeerNotAuthenticated when no peering matches or the signature does not hold (403)
     * @throws PeeringConflict      when the peering is not connected here, or a heartbeat is not newer than the
     *                              last one taken (409)
     * @throws InvalidRequest       when a replication body is malformed (400)
     */
    public Map<String, Object> receiveMessage(String signedMessage) {
        String peeringId = PeerMessages.addressedTo(signedMessage);
        Peering peering = store.findById(peeringId)
                .orElseThrow(() -> new PeerNotAuthenticated("no peering with ID " + peeringId + " exists here"));
        PeerMessage message = messages.verifyMessage(signedMessage, peering.peerCaPems());
        if (!message.fromPeeringId().equals(peering.peerId())) {
            throw new PeerNotAuthenticated("the message does not come from this peering's peer");
        }
        Instant now = Instant.now();
        switch (message.kind()) {
            case HEARTBEAT -> {
                String answer = messages.signHeartbeatAnswer(peering.id(), peering.peerId(), message.seq(), now);
                streamStatus.recordHeartbeatAnswered(peering, now, message.seq());
                if (peering.state() == PeeringState.ESTABLISHING && store.promoteToActive(peering)) {
                    health.activated(peering, "the acceptor's first heartbeat arrived");
                }
                return Map.of("Heartbeat", answer);
            }
            case EXPORTED_SERVICES, SERVICE_UPDATE, SERVICE_SNAPSHOT -> {
                return receiveReplication(peering, message, now);
            }
            case SYNC_STATUS -> {
                if (!peering.state().isConnected()) {
                    throw new PeeringConflict("peering " + peering.id() + " is " + peering.state() + " here");
                }
                return syncStatus.answerPeer(peering);
            }
            case TERMINATE -> {
                if (store.markTerminated(peering, message.seq())) {
                    LOG.info("peering {} (id {}) was terminated by its peer", peering.name(), peering.id());
                    audit.record("terminated|" + peering.id() + "|" + message.seq(), AuditEvent.PEER, peering.key(),
                            peering.id(), AuditEvent.Kind.STATE_TERMINATED, AuditEvent.SUCCESS,
                            "the peer deleted its side of the peering; what it exported here is purged", null);
                }
            }
        }
        return Map.of();
    }

    private Map<String, Object> receiveReplication(Peering peering, PeerMessage message, Instant now) {
        if (!peering.state().isConnected()) {
            throw new PeeringConflict("peering " + peering.id() + " is " + peering.state() + " here");
        }
        ReplicationBody body;
        try {
            body = ReplicationMessages.decode(message.kind(), message.body(), peering.name());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest("the replication message is malformed: " + e.getMessage());
        }
        Map<String, Object> answer = switch (body) {
            case ServiceList list -> Map.of("Resend", importer.receiveServiceList(peering, list));
            case ServiceUpdate update -> {
                importer.receiveUpdate(peering, update);
                yield Map.of();
            }
            case ServiceChunk chunk -> {
                importer.receiveChunk(peering, chunk);
                yield Map.of();
            }
        };
        streamStatus.recordReceived(peering, now);
        return answer;
    }
}
