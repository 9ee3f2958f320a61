package io.clusterpeering.service;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * Sends heartbeats to peers and records the outcome, so that any instance can tell ACTIVE from FAILING.
 * Consul's streams send a heartbeat every 15 seconds and end after 2 minutes without one; here the
 * schedule calls {@link #sendHeartbeats()} at the configured interval and the reader derives FAILING. The same
 * round touches rows left DELETING for more than five minutes, so the table's stream hands them to the
 * deletion handler again (the heal for a lost or exhausted stream record), and ends with a resync: every ACTIVE
 * peer gets its whole export snapshot again, which heals any push that was lost.
 */
@Singleton
public class HeartbeatService {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatService.class);
    /** The longest error text kept for StreamStatus.LastError, in characters. */
    static final int MAX_ERROR_LENGTH = 500;
    /** How long a deletion may stay unfinished before the heartbeat round touches its row again. */
    static final Duration STUCK_DELETION = Duration.ofMinutes(5);

    private final PeeringStore store;
    private final PeerMessages messages;
    private final PeerClient peers;

    private final jakarta.inject.Provider<ReplicationService> replication;

    private final io.clusterpeering.store.ImportedDataStore importedData;

    private final PeeringHealthWatch health;

    public HeartbeatService(PeeringStore store, PeerMessages messages, PeerClient peers,
                            jakarta.inject.Provider<ReplicationService> replication,
                            io.clusterpeering.store.ImportedDataStore importedData, PeeringHealthWatch health) {
        this.health = health;
        this.replication = replication;
        this.importedData = importedData;
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
        int nudged = 0;
        Instant now = Instant.now();
        java.util.Set<String> unreachable = new java.util.HashSet<>();
        for (String partition : store.partitions()) {
            for (Peering peering : store.list(partition)) {
                if (Thread.currentThread().isInterrupted()) {
                    return new Result(delivered, failed);
                }
                if (peering.state().isConnected()) {
                    health.observe(peering, now);
                    if (sendHeartbeat(peering)) {
                        delivered++;
                    } else {
                        failed++;
                        unreachable.add(peering.id());
                    }
                } else if (stuck(peering, now) && store.nudgeDeletion(peering, now)) {
                    nudged++;
                }
            }
        }
        for (String partition : store.partitions()) {
            try {
                // Peers that just missed their heartbeat are skipped: a push would only wait out the same timeout.
                replication.get().pushAll(partition, unreachable);
            } catch (RuntimeException e) {
                LOG.warn("resync of partition {} failed: {}", partition, e.getMessage());
            }
        }
        if (nudged > 0) {
            LOG.warn("{} deletions were still unfinished after {} s; their rows were touched so the stream handler "
                    + "takes them again", nudged, STUCK_DELETION.toSeconds());
        }
        return new Result(delivered, failed);
    }

    /**
     * Whether the deletion handler should take a row again: DELETING for more than five minutes, or
     * TERMINATED with imported items still there (its purge failed, or a late snapshot arrived).
     */
    private boolean stuck(Peering peering, Instant now) {
        if (peering.state() == PeeringState.DELETING) {
            return peering.deletedAt() != null && peering.deletedAt().plus(STUCK_DELETION).isBefore(now);
        }
        return peering.state() == PeeringState.TERMINATED && importedData.count(peering.key()) > 0;
    }

    /**
     * Sends one heartbeat and records the round trip. The peer answers with its own signed heartbeat bound to
     * ours; when that answer checks out, LastSend, LastHeartbeat and LastReceive are recorded at once (and
     * ESTABLISHING becomes ACTIVE). Otherwise the reason is recorded as StreamStatus.LastError, so the peering
     * reads FAILING and says why: no answer within {@code peering.peer-call-timeout}, a refusal, or an answer
     * that is not a fresh heartbeat signed by the peer (garbage, another signer, a replay). A heartbeat cut
     * short by an interrupt (the local runtime stopping) records nothing.
     *
     * @return true when the peer answered with a valid heartbeat
     */
    public boolean sendHeartbeat(Peering peering) {
        try {
            String error;
            try {
                Instant sentAt = Instant.now();
                long sentNanos = System.nanoTime();
                PeerClient.PeerAnswer answer = peers.post(peering.peerUrls(), PeeringService.MESSAGE_PATH,
                        messages.signMessage(PeerMessage.Kind.HEARTBEAT, peering.id(), peering.peerId(), sentAt),
                        "send heartbeat");
                if (answer.ok()) {
                    messages.verifyHeartbeatAnswer(answer.body(), peering.peerCaPems(), peering.peerId(), peering.id(),
                            PeerMessages.sequenceOf(sentAt));
                    health.heartbeatDelivered(peering, (System.nanoTime() - sentNanos) / 1_000_000);
                    if (store.recordHeartbeatRoundTrip(peering, Instant.now())
                            && peering.state() == PeeringState.ESTABLISHING && store.promoteToActive(peering)) {
                        health.activated(peering, "the acceptor answered the first heartbeat");
                    }
                    return true;
                }
                error = "the peer refused the heartbeat with " + answer.status() + ": " + answer.body();
            } catch (PeeringException.PeerNotAuthenticated e) {
                error = "the peer's answer to the heartbeat was rejected (" + e.getMessage() + ")";
            } catch (RuntimeException e) {
                error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            }
            if (Thread.currentThread().isInterrupted()) {
                LOG.info("heartbeat for peering {} was interrupted; nothing recorded", peering.name());
                return false;
            }
            String shortError = error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH) + "...";
            LOG.warn("heartbeat for peering {} (id {}) failed: {}", peering.name(), peering.id(), shortError);
            store.recordSendFailure(peering, Instant.now(), shortError);
        } catch (RuntimeException storeFailure) {
            LOG.error("recording the heartbeat of peering {} failed", peering.name(), storeFailure);
        }
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
