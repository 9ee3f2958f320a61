package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.StreamStatusStore;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Sends heartbeats to peers and records the outcome, so that any instance can tell ACTIVE from FAILING.
 * Consul's streams send a heartbeat every 15 seconds and end after 2 minutes without one; here each peering gets
 * a {@link #beat} every heartbeat interval and the reader derives FAILING. A beat is the per-peering unit of work,
 * the same wherever it runs: locally a round ({@link #sendHeartbeats}) beats every peering on a small pool of
 * threads; in AWS one queue message per peering carries it ({@link HeartbeatFanOut}). A beat sends the heartbeat,
 * then, when the peer answered, resyncs it (the exported service list with digests; only services that differ are
 * sent again), which heals any lost update. For a row left DELETING for more than five minutes, or TERMINATED with
 * imports left, it touches the row, so the table's stream hands it to the deletion handler again (the heal for a
 * lost or exhausted stream record).
 */
@Singleton
public class HeartbeatService {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatService.class);
    /** The longest error text kept for StreamStatus.LastError, in characters. */
    static final int MAX_ERROR_LENGTH = 500;
    /** How long a deletion may stay unfinished before the heartbeat round touches its row again. */
    static final Duration STUCK_DELETION = Duration.ofMinutes(5);

    private final PeeringStore store;
    private final StreamStatusStore streamStatus;
    private final PeerMessages messages;
    private final PeerClient peers;

    private final jakarta.inject.Provider<ReplicationService> replication;
    private final ExecutorService beaters;

    private final PeeringHealthWatch health;

    private final jakarta.inject.Provider<CaRotationService> rotation;

    public HeartbeatService(PeeringStore store, StreamStatusStore streamStatus, PeerMessages messages, PeerClient peers,
                            jakarta.inject.Provider<ReplicationService> replication, PeeringConfiguration config,
                            PeeringHealthWatch health, jakarta.inject.Provider<CaRotationService> rotation) {
        this.health = health;
        this.rotation = rotation;
        this.replication = replication;
        this.store = store;
        this.streamStatus = streamStatus;
        this.messages = messages;
        this.peers = peers;
        this.beaters = Executors.newFixedThreadPool(config.getHeartbeatConcurrency(), runnable -> {
            Thread thread = new Thread(runnable, "heartbeat");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Stops the round's threads with the application context. */
    @PreDestroy
    void close() throws InterruptedException {
        beaters.shutdownNow();
        beaters.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * One round: a {@link #beat} for every peering of every partition, {@code peering.heartbeat-concurrency} at a
     * time, so a few unreachable peers (each taking up to the peer-call timeout) do not hold up the others.
     *
     * Takes the next step of a CA rotation first, when one is due ({@link CaRotationService#advance}).
     *
     * @return how many heartbeats the peers accepted, and how many failed
     */
    public Result sendHeartbeats() {
        rotation.get().advance();
        List<Future<BeatOutcome>> beats = new ArrayList<>();
        try {
            for (String partition : store.partitions()) {
                for (Peering peering : store.list(partition)) {
                    beats.add(beaters.submit(() -> beat(peering)));
                }
            }
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            LOG.debug("the heartbeat round stops: the application is closing");
        }
        int delivered = 0;
        int failed = 0;
        int nudged = 0;
        for (Future<BeatOutcome> beat : beats) {
            try {
                switch (beat.get()) {
                    case DELIVERED -> delivered++;
                    case FAILED -> failed++;
                    case NUDGED -> nudged++;
                    default -> { }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                LOG.error("a heartbeat failed unexpectedly", e.getCause());
                failed++;
            }
        }
        if (nudged > 0) {
            LOG.warn("{} deletions or purges were unfinished (DELETING for over {} s, or TERMINATED with imports left); "
                    + "their rows were touched so the stream handler takes them again", nudged, STUCK_DELETION.toSeconds());
        }
        return new Result(delivered, failed);
    }

    /**
     * The heartbeat work for one peering: for a connected one, a heartbeat and, when the peer took it, a resync;
     * for a stuck deletion, a nudge; nothing otherwise. Never throws for a peer's failure (it is recorded).
     *
     * @return what it did
     */
    public BeatOutcome beat(Peering peering) {
        if (Thread.currentThread().isInterrupted()) {
            return BeatOutcome.NOTHING;
        }
        if (peering.state().isConnected()) {
            health.observe(peering, Instant.now());
            if (awaitsDialersFirstHeartbeat(peering)) {
                return BeatOutcome.NOTHING;
            }
            if (!sendHeartbeat(peering)) {
                // A resync would only wait out the same timeout.
                return BeatOutcome.FAILED;
            }
            try {
                replication.get().resync(peering, true);
            } catch (RuntimeException e) {
                LOG.warn("resync of peering {} failed: {}", peering.name(), e.getMessage());
            }
            return BeatOutcome.DELIVERED;
        }
        Instant now = Instant.now();
        return stuck(peering, now) && store.nudgeDeletion(peering, now) ? BeatOutcome.NUDGED : BeatOutcome.NOTHING;
    }

    /** What one {@link #beat} did. */
    public enum BeatOutcome {
        /** The peer took the heartbeat (and was resynced). */
        DELIVERED,
        /** The heartbeat failed; the failure is recorded on the row. */
        FAILED,
        /** A stuck deletion's row was touched. */
        NUDGED,
        /** Nothing to do for the peering's state. */
        NOTHING
    }

    /**
     * Whether the deletion handler should take a row again: DELETING for more than five minutes, or
     * TERMINATED with imported items still there (its purge failed or was interrupted).
     */
    private boolean stuck(Peering peering, Instant now) {
        if (peering.state() == PeeringState.DELETING) {
            return peering.deletedAt() != null && peering.deletedAt().plus(STUCK_DELETION).isBefore(now);
        }
        return peering.state() == PeeringState.TERMINATED
                && (peering.importedItemsLeft() == null || peering.importedItemsLeft() > 0);
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
                    if (streamStatus.recordHeartbeatRoundTrip(peering, Instant.now())
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
            streamStatus.recordSendFailure(peering, Instant.now(), shortError);
        } catch (RuntimeException storeFailure) {
            LOG.error("recording the heartbeat of peering {} failed", peering.name(), storeFailure);
        }
        return false;
    }

    /**
     * Whether this is an acceptor that has not yet had its dialer's first heartbeat. The dialer sends that one as
     * soon as it has saved its side of the peering; an acceptor that sent before it would reach a dialer that does
     * not know the peering yet and be refused. So an acceptor waits for it and only then heartbeats on its own
     * schedule (its answers to the dialer's heartbeats go out meanwhile). A dialer that never sends one leaves the
     * acceptor silent: the peering reads FAILING once the heartbeat timeout has passed since the exchange
     * ({@link PeeringHealthWatch#observe}), as it would for any silent peer.
     */
    static boolean awaitsDialersFirstHeartbeat(Peering peering) {
        return peering.role() == PeeringRole.ACCEPTOR && peering.liveness().lastHeartbeat() == null;
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
