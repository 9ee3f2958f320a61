package io.clusterpeering.service;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * Sends heartbeats to peers and records the outcome, so that any instance can tell ACTIVE from FAILING.
 * Consul's streams send a heartbeat every 15 seconds and end after 2 minutes without one; here the
 * schedule calls {@link #sendHeartbeats()} at the configured interval and the reader derives FAILING.
 */
@Singleton
public class HeartbeatService {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatService.class);

    private final PeeringStore store;
    private final PeerMessages messages;
    private final PeerClient peers;

    public HeartbeatService(PeeringStore store, PeerMessages messages, PeerClient peers) {
        this.store = store;
        this.messages = messages;
        this.peers = peers;
    }

    /**
     * Sends one heartbeat to every connected peering (ESTABLISHING or ACTIVE) of every partition.
     *
     * @return how many heartbeats the peers accepted, and how many failed
     */
    public Result sendHeartbeats() {
        int delivered = 0;
        int failed = 0;
        for (String partition : store.partitions()) {
            for (Peering peering : store.list(partition)) {
                if (peering.state().isConnected()) {
                    if (sendHeartbeat(peering)) {
                        delivered++;
                    } else {
                        failed++;
                    }
                }
            }
        }
        return new Result(delivered, failed);
    }

    /**
     * Sends one heartbeat and records it: LastSend on success (and ESTABLISHING becomes ACTIVE), the error
     * and its time on failure.
     *
     * @return true when the peer accepted it
     */
    public boolean sendHeartbeat(Peering peering) {
        Instant now = Instant.now();
        String error;
        try {
            PeerClient.PeerAnswer answer = peers.post(peering.peerUrls(), PeeringService.MESSAGE_PATH,
                    messages.signMessage(PeerMessage.Kind.HEARTBEAT, peering.id(), peering.peerId(), now), "send heartbeat");
            if (answer.ok()) {
                store.recordSent(peering, Instant.now());
                if (peering.state() == io.clusterpeering.domain.PeeringState.ESTABLISHING) {
                    store.promoteToActive(peering);
                }
                return true;
            }
            error = "the peer refused the heartbeat with " + answer.status() + ": " + answer.body();
        } catch (RuntimeException e) {
            error = e.getMessage();
        }
        LOG.warn("heartbeat for peering {} (id {}) failed: {}", peering.name(), peering.id(), error);
        store.recordSendFailure(peering, Instant.now(), error);
        return false;
    }

    /**
     * The outcome of one round.
     *
     * @param delivered heartbeats the peers accepted
     * @param failed    heartbeats that failed
     */
    public record Result(int delivered, int failed) {
    }
}
