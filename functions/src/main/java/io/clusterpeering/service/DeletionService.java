package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.Deadline;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.store.ImportPurgeStore;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Finishes what DELETE and a peer's termination start (Consul's leader deletion routine). Driven by the
 * table's stream; every step is idempotent because stream records arrive at least once:
 * <ol>
 *   <li>a DELETING row: tell the peer (its row becomes TERMINATED), purge everything imported from the peer,
 *       then remove the row and its ID pointer;</li>
 *   <li>a TERMINATED row: purge what was imported from the peer and keep the row until the user deletes it.</li>
 * </ol>
 * A purge estimates what is left from the imported services' heads, then deletes in pages and records after each
 * page how many items are left on the row ({@code StreamStatus.ImportedItemsLeft}). It chains its pages while
 * the invocation has time left (its {@link Deadline}: Lambda's remaining time less
 * {@code peering.stream-safety-margin}); the progress it records is a change of the row, which the stream
 * delivers back here, so a purge too big for one invocation continues in the next, and one interrupted by a crash resumes with the next delivery (or the heartbeat's
 * re-nudge of a stuck deletion). It acts on the row as it is now, not on the stream image, so a replayed record
 * for a row that is gone or was re-created does nothing.
 */
@Singleton
public class DeletionService {
    private static final Logger LOG = LoggerFactory.getLogger(DeletionService.class);
    private final PeeringStore store;
    private final ImportPurgeStore importedData;
    private final PeerMessages messages;
    private final PeerClient peers;
    private final AuditRecorder audit;
    private final PeeringMetrics metrics;
    private final PeeringConfiguration config;

    public DeletionService(PeeringStore store, ImportPurgeStore importedData, PeerMessages messages, PeerClient peers,
                           AuditRecorder audit, PeeringMetrics metrics, PeeringConfiguration config) {
        this.config = config;
        this.audit = audit;
        this.metrics = metrics;
        this.store = store;
        this.importedData = importedData;
        this.messages = messages;
        this.peers = peers;
    }

    /**
     * When a stream handler's work must stop: {@code invocationLeft} (what Lambda says is left of the invocation,
     * or {@code peering.stream-invocation-time} where there is no Lambda) less {@code peering.stream-safety-margin}.
     *
     * @param invocationLeft how long the invocation has left
     */
    public Deadline deadline(Duration invocationLeft) {
        return Deadline.after(invocationLeft.minus(config.getStreamSafetyMargin()));
    }

    /**
     * {@link #finish(PeeringKey, Deadline)} with a full invocation's time ({@code peering.stream-invocation-time}):
     * the start-up sweep and tests, where no Lambda context says how long is left.
     */
    public Outcome finish(PeeringKey key) {
        return finish(key, deadline(config.getStreamInvocationTime()));
    }

    /**
     * Carries a DELETING or TERMINATED peering to its end state, or as far as the deadline lets the purge go.
     *
     * @param key      the peering's partition and name
     * @param deadline when the purge stops at its next page boundary (at least one page is always deleted)
     * @return what was done
     */
    public Outcome finish(PeeringKey key, Deadline deadline) {
        Optional<Peering> current = store.find(key);
        if (current.isEmpty()) {
            return Outcome.NOTHING;
        }
        Peering peering = current.get();
        if (peering.state() == PeeringState.TERMINATED) {
            return purgeImported(peering, false, deadline) ? Outcome.PURGED : Outcome.PURGING;
        }
        if (peering.state() != PeeringState.DELETING) {
            return Outcome.NOTHING;
        }
        if (peering.importedItemsLeft() == null) {
            notifyPeer(peering);
        }
        if (!purgeImported(peering, true, deadline)) {
            return Outcome.PURGING;
        }
        return store.removeAfterPurge(key, peering.id()) ? Outcome.REMOVED : Outcome.NOTHING;
    }

    /**
     * Finishes every DELETING or TERMINATED peering of every partition: the sweep that heals stream records
     * which were never delivered (the local runtime runs it when its stream poller starts).
     *
     * @return how many peerings it acted on
     */
    public int finishAllPending() {
        int acted = 0;
        for (String partition : store.partitions()) {
            for (Peering peering : store.list(partition)) {
                if (peering.state() == PeeringState.DELETING || peering.state() == PeeringState.TERMINATED) {
                    if (finish(peering.key()) != Outcome.NOTHING) {
                        acted++;
                    }
                }
            }
        }
        return acted;
    }

    /**
     * Deletes the instances of a service the peer no longer exports (its imported head says so) until the
     * deadline; the head's changes bring the stream back here until none is left.
     *
     * @return how many items it deleted
     */
    public int purgeUnexported(PeeringKey peer, String service, Deadline deadline) {
        int deleted = importedData.purgeUnexported(peer, service, deadline);
        if (deleted > 0) {
            LOG.info("purged {} items of {} that peer {} no longer exports", deleted, service, peer.name());
        }
        return deleted;
    }

    /**
     * Purges, recording after each page how many items are left: counted down from what the row already says (a
     * purge resumed), or from an estimate read off the imported services' heads (their instance counts, one read
     * per service and none per instance), so the purge reads nothing it does not delete.
     *
     * @return true when nothing imported from the peer is left
     */
    private boolean purgeImported(Peering peering, boolean removing, Deadline deadline) {
        PeeringKey key = peering.key();
        if (peering.importedItemsLeft() != null && peering.importedItemsLeft() == 0 && importedData.purgeBatch(key) == 0) {
            return true;
        }
        long started = System.nanoTime();
        int start = peering.importedItemsLeft() != null ? peering.importedItemsLeft() : importedData.estimateItems(key);
        store.recordPurgeProgress(peering, start);
        ImportPurgeStore.Purge purge = importedData.purgeAll(key,
                deleted -> store.recordPurgeProgress(peering, Math.max(0, start - deleted)), deadline);
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (purge.deleted() > 0) {
            metrics.purge(key, purge.deleted(), millis);
        }
        LOG.info("purged {} items imported from peer {} in partition {}{}", purge.deleted(), key.name(), key.partition(),
                purge.done() ? "" : "; the rest follows");
        if (purge.done()) {
            store.recordPurgeProgress(peering, 0);
            recordPurgeFinished(peering, purge.deleted(), millis, removing);
        }
        return purge.done();
    }

    /**
     * Records a finished purge once per DELETING or TERMINATED mark (the row's ModifyIndex identifies it, and
     * progress records do not change it, so a redelivered stream record finds it recorded): the audit event,
     * with what the last pass deleted (a large purge runs over several passes, each one's items and time go to
     * the purge metrics as it ends).
     */
    private void recordPurgeFinished(Peering peering, int lastPassItems, long lastPassMillis, boolean removing) {
        audit.record("purge|" + peering.id() + "|" + peering.state() + "|" + peering.modifyIndex(),
                AuditEvent.SYSTEM, peering.key(), peering.id(), AuditEvent.Kind.PURGE_FINISHED, AuditEvent.SUCCESS,
                "the items imported from the peer are purged (" + lastPassItems + " in the last pass, "
                        + lastPassMillis + " ms)"
                        + (removing ? "; the peering was removed" : "; the TERMINATED peering stays until deleted here"),
                (long) lastPassItems);
    }

    /** Best effort, once: a peer that cannot be reached keeps its row and reads FAILING, as in Consul. */
    private void notifyPeer(Peering peering) {
        if (peering.peerId() == null || peering.peerUrls().isEmpty() || peering.peerCaPems().isEmpty()) {
            return;
        }
        try {
            PeerClient.PeerAnswer answer = peers.post(peering.peerUrls(), PeeringService.MESSAGE_PATH,
                    messages.signMessage(PeerMessage.Kind.TERMINATE, peering.id(), peering.peerId(), Instant.now()),
                    "send termination");
            if (!answer.ok()) {
                LOG.warn("peer of {} refused the termination with {}: {}", peering.name(), answer.status(), answer.body());
            }
        } catch (RuntimeException e) {
            LOG.warn("could not tell the peer of {} about the deletion: {}", peering.name(), e.getMessage());
        }
    }

    /** What {@link #finish} did. */
    public enum Outcome {
        /** Nothing to do: the row is gone, re-created, or in another state. */
        NOTHING,
        /** Imported data purged; the TERMINATED row stays. */
        PURGED,
        /** Part of the imported data purged, progress recorded; the rest follows with the next delivery. */
        PURGING,
        /** The peer was told, imported data purged, the row removed. */
        REMOVED
    }
}
