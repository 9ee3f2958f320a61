package io.clusterpeering.service;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.peer.ReplicationMessages.ServiceChunk;
import io.clusterpeering.peer.ReplicationMessages.ServiceList;
import io.clusterpeering.peer.ReplicationMessages.ServiceUpdate;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.StreamStatusStore;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The importer's side of replication (Consul's peer stream subscriber): takes the peer's exported-services list,
 * its updates and its chunks, already decoded ({@link io.clusterpeering.peer.ReplicationMessages}), and applies
 * them so that messages may arrive late, twice or out of order ({@link ImportedDataStore}); an older list never
 * undoes a newer one ({@link StreamStatusStore#takeExportList}). Records StreamStatus.ImportedServices and the
 * replication lag. The exporter's side is {@link ReplicationService}.
 */
@Singleton
public class ImportService {
    private static final Logger LOG = LoggerFactory.getLogger(ImportService.class);

    private final StreamStatusStore streamStatus;
    private final ImportedDataStore imported;
    private final PeeringMetrics metrics;

    public ImportService(StreamStatusStore streamStatus, ImportedDataStore imported, PeeringMetrics metrics) {
        this.streamStatus = streamStatus;
        this.imported = imported;
        this.metrics = metrics;
    }


    /**
     * Takes the peer's service list: applies it (services no longer listed are hidden at once and purged by the
     * stream handler), stores the peer's trust bundle (also PeerCAPems) and, on a dialer, its server addresses,
     * and records StreamStatus.ImportedServices.
     *
     * @return the listed services whose digest differs from ours, for the peer to send again
     */
    public List<String> receiveServiceList(Peering peering, ServiceList list) {
        Map<String, ImportedDataStore.ListedService> listed = new TreeMap<>();
        list.services().forEach(s -> listed.put(s.name(),
                new ImportedDataStore.ListedService(s.digest(), s.instances(), s.version())));
        if (!streamStatus.takeExportList(peering, list.viewedAt(), List.copyOf(listed.keySet()), list.roots(),
                list.serverAddresses())) {
            // Concurrent resyncs can deliver their lists out of order: an older one must not hide what a newer
            // one exported (or bring back what it dropped).
            LOG.debug("an older exported-services list from the peer of {} was ignored", peering.name());
            return List.of();
        }
        if (!list.roots().isEmpty()) {
            imported.putTrustBundle(peering.key(), list.trustDomain(), list.roots(), Instant.now());
        }
        return imported.applyServiceList(peering, list.viewedAt(), listed);
    }

    /** Takes an update of some instances of one service: applies what is newer than what is stored. */
    public ImportedDataStore.Applied receiveUpdate(Peering peering, ServiceUpdate update) {
        Instant now = Instant.now();
        OptionalLong viewedAt = update.viewedAt();
        boolean newService = !peering.liveness().importedServices().contains(update.service());
        if (newService && viewedAt.isPresent() && !streamStatus.takeExportList(peering, viewedAt.getAsLong())) {
            // A service we do not import yet, sent under a view of the exports older than the newest list taken:
            // that list decided (it either names the service, and asked for it whole, or dropped it).
            return ImportedDataStore.Applied.UNCHANGED;
        }
        // The view is taken before the apply: an exported-services list viewed before the exporter read the entry
        // this update was sent under is older, and must not hide the service again, also while it is being applied.
        return measured(peering, update.changedAt(), now, recordNewService(peering, update.service(),
                imported.applyUpdate(peering, update.service(), update.instances(), now), viewedAt));
    }

    /** Takes one chunk of a service sent whole: makes our range of the service match it. */
    public ImportedDataStore.Applied receiveChunk(Peering peering, ServiceChunk chunk) {
        Instant now = Instant.now();
        return measured(peering, chunk.changedAt(), now, recordNewService(peering, chunk.service(), imported.applyChunk(peering,
                chunk.service(), chunk.version(), chunk.after(), chunk.through(), chunk.instances(), now),
                OptionalLong.empty()));
    }

    /** Records the replication lag of a message that changed what we import ({@link ReplicationLag}). */
    private ImportedDataStore.Applied measured(Peering peering, OptionalLong changedAt, Instant appliedAt,
                                               ImportedDataStore.Applied applied) {
        if (applied == ImportedDataStore.Applied.CHANGED) {
            ReplicationLag.of(changedAt, appliedAt).ifPresent(lag -> metrics.replicationLag(peering, lag));
        }
        return applied;
    }

    /** A service first seen in an update (a new service behind a wildcard) joins StreamStatus.ImportedServices. */
    private ImportedDataStore.Applied recordNewService(Peering peering, String service, ImportedDataStore.Applied applied,
                                                       OptionalLong viewedAt) {
        if (applied == ImportedDataStore.Applied.CHANGED && !peering.liveness().importedServices().contains(service)) {
            streamStatus.addImportedService(peering, service, viewedAt);
        }
        return applied;
    }
}
