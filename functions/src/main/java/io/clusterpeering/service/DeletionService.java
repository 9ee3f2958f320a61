package io.clusterpeering.service;

import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Optional;

/**
 * Finishes what DELETE and a peer's termination start (Consul's leader deletion routine). Driven by the
 * table's stream; every step is idempotent because stream records arrive at least once:
 * <ol>
 *   <li>a DELETING row: tell the peer (its row becomes TERMINATED), purge everything imported from the peer in
 *       batches, then remove the row and its ID pointer;</li>
 *   <li>a TERMINATED row: purge what was imported from the peer and keep the row until the user deletes it.</li>
 * </ol>
 * It acts on the row as it is now, not on the stream image, so a replayed record for a row that is gone or
 * was re-created does nothing.
 */
@Singleton
public class DeletionService {
    private static final Logger LOG = LoggerFactory.getLogger(DeletionService.class);

    private final PeeringStore store;
    private final ImportedDataStore importedData;
    private final PeerMessages messages;
    private final PeerClient peers;
    private final AuditRecorder audit;
    private final PeeringMetrics metrics;

    public DeletionService(PeeringStore store, ImportedDataStore importedData, PeerMessages messages, PeerClient peers,
                           AuditRecorder audit, PeeringMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
        this.store = store;
        this.importedData = importedData;
        this.messages = messages;
        this.peers = peers;
    }

    /**
     * Carries a DELETING or TERMINATED peering to its end state.
     *
     * @param key the peering's partition and name
     * @return what was done
     */
    public Outcome finish(PeeringKey key) {
        Optional<Peering> current = store.find(key);
        if (current.isEmpty()) {
            return Outcome.NOTHING;
        }
        Peering peering = current.get();
        if (peering.state() == PeeringState.TERMINATED) {
            recordPurge(peering, purgeImported(key), false);
            return Outcome.PURGED;
        }
        if (peering.state() != PeeringState.DELETING) {
            return Outcome.NOTHING;
        }
        notifyPeer(peering);
        Purged purged = purgeImported(key);
        boolean removed = store.removeAfterPurge(key, peering.id());
        recordPurge(peering, purged, removed);
        return removed ? Outcome.REMOVED : Outcome.NOTHING;
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

    private Purged purgeImported(PeeringKey key) {
        long started = System.nanoTime();
        int total = 0;
        for (int deleted = importedData.purgeBatch(key); deleted > 0; deleted = importedData.purgeBatch(key)) {
            total += deleted;
        }
        if (total > 0) {
            LOG.info("purged {} items imported from peer {} in partition {}", total, key.name(), key.partition());
        }
        return new Purged(total, (System.nanoTime() - started) / 1_000_000);
    }

    /** How many imported items one purge deleted, and in how many milliseconds. */
    private record Purged(int items, long millis) {
    }

    /**
     * Records a finished purge once per DELETING or TERMINATED mark (the row's ModifyIndex identifies it, so a
     * redelivered stream record finds it recorded): the audit event and the purge metrics. A purge resumed after a
     * crash counts the items this run deleted.
     */
    private void recordPurge(Peering peering, Purged purged, boolean removed) {
        boolean recorded = audit.record("purge|" + peering.id() + "|" + peering.state() + "|" + peering.modifyIndex(),
                AuditEvent.SYSTEM, peering.key(), peering.id(), AuditEvent.Kind.PURGE_FINISHED, AuditEvent.SUCCESS,
                purged.items() + " items imported from the peer purged in " + purged.millis() + " ms"
                        + (removed ? "; the peering was removed" : "; the TERMINATED peering stays until deleted here"),
                (long) purged.items());
        if (recorded) {
            metrics.purge(peering.key(), purged.items(), purged.millis());
        }
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
        /** The peer was told, imported data purged, the row removed. */
        REMOVED
    }
}
