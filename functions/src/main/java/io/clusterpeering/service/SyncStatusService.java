package io.clusterpeering.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeeringNotFound;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRules;
import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.domain.ServiceSync;
import io.clusterpeering.domain.ServiceSync.Held;
import io.clusterpeering.domain.ServiceSync.Refusal;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.store.CatalogReads;
import io.clusterpeering.store.CatalogReads.ServiceHead;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.SyncRefusalStore;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Per-service sync status of a peering, both ways ({@code GET /v1/peering/:name/services}, ours; Consul has none:
 * its peering shows only StreamStatus's lists of imported and exported names). Each side knows only its own half:
 * what it holds and, as exporter, what the peer refused. So a report joins this side's {@link View} with the peer's,
 * which the peer answers to a signed {@link PeerMessage.Kind#SYNC_STATUS} message; when the peer cannot be asked
 * (the peering is not connected, or the peer does not answer) the report says why and judges nothing synced.
 * Nothing is written on the replication path for this but a refusal ({@link SyncRefusalStore}), and when each
 * head last moved, which the head's own write records.
 */
@Singleton
public class SyncStatusService {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PeeringStore peerings;
    private final ReplicationService replication;
    private final CatalogReads catalog;
    private final SyncRefusalStore refusals;
    private final PeerMessages messages;
    private final PeerClient peers;
    private final PeeringConfiguration config;

    public SyncStatusService(PeeringStore peerings, ReplicationService replication, CatalogReads catalog,
                             SyncRefusalStore refusals, PeerMessages messages, PeerClient peers,
                             PeeringConfiguration config) {
        this.peerings = peerings;
        this.replication = replication;
        this.catalog = catalog;
        this.refusals = refusals;
        this.messages = messages;
        this.peers = peers;
        this.config = config;
    }

    /**
     * One side's half of a peering's sync status.
     *
     * @param exported what this side holds of each service it exports to the peer
     * @param imported what this side holds of each service it imports from the peer
     * @param purging  the imported services this side is removing (no longer in the peer's exported services)
     * @param refused  as exporter, the peer's last refusal per service ({@code ""}: the service list)
     */
    public record View(Map<String, Held> exported, Map<String, Held> imported, java.util.Set<String> purging,
                       Map<String, Refusal> refused) {
    }

    /**
     * A peering's per-service sync status.
     *
     * @param peerName   the peering's name
     * @param peerViewOk whether the peer answered with its half
     * @param peerError  why the peer's half is missing; empty when it answered
     * @param exported   the services this cluster exports to the peer (or that the peer still holds), by name
     * @param imported   the services this cluster imports from the peer (or still holds), by name
     */
    public record Report(String peerName, boolean peerViewOk, String peerError, List<ServiceSync> exported,
                         List<ServiceSync> imported) {
    }

    /**
     * The sync status of every service between this cluster and the peer of {@code key}, or of one service.
     *
     * @param service  only this service (then a local service not exported to the peer is reported refused,
     *                 {@code not in exported-services}); null for all
     * @param visible  which service names the caller may see (service:read); the others are left out
     * @return the report with the partition's peerings counter, and whether ACLs left something out
     * @throws PeeringNotFound when there is no such peering (404)
     * @throws InvalidRequest  when {@code service} is empty or holds {@code #} (400)
     */
    public Indexed<io.clusterpeering.acl.Filtered<Report>> report(PeeringKey key, String service,
                                                                   Predicate<String> visible) {
        if (service != null && !isServiceName(service)) {
            throw new InvalidRequest("service must be a service name (not empty, without '#'): " + service);
        }
        if (!PeeringRules.isValidPeerName(key.name())) {
            throw new PeeringNotFound(key.name());
        }
        Indexed<Peering> read = peerings.findWithPartitionIndex(key).orElseThrow(() -> new PeeringNotFound(key.name()));
        Peering peering = read.value();
        View ours = view(peering);
        View theirs = null;
        String unknownWhy;
        if (!peering.state().isConnected() || peering.peerUrls().isEmpty()) {
            unknownWhy = "the peering is " + peering.state() + ": the peer's view is unknown";
        } else {
            try {
                theirs = askPeer(peering);
                unknownWhy = "";
            } catch (RuntimeException e) {
                unknownWhy = "the peer's view is unknown: " + io.clusterpeering.peer.PeerText.excerpt(e.getMessage());
            }
        }
        Instant now = Instant.now();
        List<ServiceSync> exported = exported(ours, theirs, unknownWhy, now);
        List<ServiceSync> imported = imported(ours, theirs, unknownWhy, now);
        if (service != null) {
            exported = exported.stream().filter(s -> s.service().equals(service)).toList();
            imported = imported.stream().filter(s -> s.service().equals(service)).toList();
            if (exported.isEmpty()) {
                ServiceHead head = catalog.localService(peering.partition(), service);
                exported = List.of(ServiceSync.ofNotExported(service, held(head)));
            }
        }
        List<ServiceSync> shownExported = exported.stream().filter(s -> visible.test(s.service())).toList();
        List<ServiceSync> shownImported = imported.stream().filter(s -> visible.test(s.service())).toList();
        boolean filtered = shownExported.size() < exported.size() || shownImported.size() < imported.size();
        return new Indexed<>(new io.clusterpeering.acl.Filtered<>(new Report(peering.name(), theirs != null,
                unknownWhy, shownExported, shownImported), filtered), read.index());
    }

    private List<ServiceSync> exported(View ours, View theirs, String unknownWhy, Instant now) {
        List<ServiceSync> result = new ArrayList<>();
        Refusal listRefusal = ours.refused().get("");
        ours.exported().forEach((service, held) -> {
            Refusal refusal = latest(ours.refused().get(service), listRefusal);
            result.add(ServiceSync.ofExported(service, held, theirs == null ? null : theirs.imported().get(service),
                    theirs != null, unknownWhy, refusal, theirs != null && theirs.purging().contains(service), now,
                    config.getSyncAckTimeout()));
        });
        if (theirs != null) {
            theirs.imported().forEach((service, held) -> {
                if (!ours.exported().containsKey(service) && !theirs.purging().contains(service) && held.instances() > 0) {
                    result.add(ServiceSync.ofUnexported(service, null, held));
                }
            });
            theirs.purging().stream().filter(service -> !ours.exported().containsKey(service))
                    .forEach(service -> result.add(ServiceSync.ofUnexported(service, null, theirs.imported().get(service))));
        }
        result.sort(java.util.Comparator.comparing(ServiceSync::service));
        return result;
    }

    private List<ServiceSync> imported(View ours, View theirs, String unknownWhy, Instant now) {
        List<ServiceSync> result = new ArrayList<>();
        TreeSet<String> services = new TreeSet<>(ours.imported().keySet());
        if (theirs != null) {
            services.addAll(theirs.exported().keySet());
        }
        for (String service : services) {
            Held mine = ours.imported().get(service);
            boolean exportedToUs = theirs != null && theirs.exported().containsKey(service);
            if (mine != null && mine.instances() == 0 && !exportedToUs && !ours.purging().contains(service)) {
                continue; // purged: only its head is left (it keeps the service's index)
            }
            if (ours.purging().contains(service)) {
                result.add(new ServiceSync(service, ServiceSync.State.PURGING,
                        "no longer in the peer's exported-services", theirs == null ? null : theirs.exported().get(service), mine));
            } else if (theirs == null) {
                result.add(new ServiceSync(service, ServiceSync.State.PENDING, unknownWhy, null, mine));
            } else if (!theirs.exported().containsKey(service)) {
                result.add(ServiceSync.ofUnexported(service, null, mine));
            } else {
                Refusal refusal = latest(theirs.refused().get(service), theirs.refused().get(""));
                result.add(ServiceSync.ofExported(service, theirs.exported().get(service), mine, true, "", refusal,
                        false, now, config.getSyncAckTimeout()));
            }
        }
        return result;
    }

    /** This side's half for a peering: exports to it (one read of the exports, one BatchGetItem of their heads),
     *  imports from it (a query of the list and a BatchGetItem of heads) and the refusals (one query). */
    public View view(Peering peering) {
        List<String> exportedServices = new ArrayList<>();
        replication.exports(peering.partition()).forEach((service, consumers) -> {
            if (consumers.contains(peering.name())) {
                exportedServices.add(service);
            }
        });
        Map<String, ServiceHead> heads = catalog.localServices(peering.partition(), exportedServices);
        Map<String, Held> exported = new TreeMap<>();
        for (String service : exportedServices) {
            ServiceHead head = heads.get(service);
            exported.put(service, head == null ? new Held(1, 0, ServiceDigest.format(ServiceDigest.EMPTY), null) : held(head));
        }
        Map<String, Held> imported = new TreeMap<>();
        java.util.Set<String> purging = new TreeSet<>();
        for (CatalogReads.ImportedServiceHead head : catalog.importedHeads(peering.key())) {
            Held held = held(head.head());
            imported.put(head.head().service(), new Held(head.appliedVersion(), held.instances(), held.digest(),
                    held.changedAt()));
            if (!head.exported() && head.head().count() > 0) {
                purging.add(head.head().service());
            }
        }
        Map<String, Refusal> refused = new TreeMap<>();
        refusals.refusals(peering).forEach((service, refusal) ->
                refused.put(service, new Refusal(refusal.version(), refusal.reason(), refusal.at())));
        return new View(exported, imported, purging, refused);
    }

    /** This side's half as a peer asks for it ({@link PeerMessage.Kind#SYNC_STATUS}), in its wire form. */
    public Map<String, Object> answerPeer(Peering peering) {
        View view = view(peering);
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("Exported", heldList(view.exported(), java.util.Set.of()));
        wire.put("Imported", heldList(view.imported(), view.purging()));
        List<Map<String, Object>> refused = new ArrayList<>();
        view.refused().forEach((service, refusal) -> refused.add(Map.of("Service", service,
                "Version", refusal.version(), "Reason", refusal.reason(), "At", refusal.at().toEpochMilli())));
        wire.put("Refused", refused);
        return wire;
    }

    private View askPeer(Peering peering) {
        String signed = messages.signMessage(PeerMessage.Kind.SYNC_STATUS, peering.id(), peering.peerId(), Instant.now());
        PeerClient.PeerAnswer answer = peers.post(peering.peerUrls(), PeeringService.MESSAGE_PATH, signed,
                "ask the peer's sync status");
        if (!answer.ok()) {
            throw new IllegalStateException("the peer answered " + answer.status() + " " + answer.body());
        }
        try {
            JsonNode body = JSON.readTree(answer.body());
            java.util.Set<String> purging = new TreeSet<>();
            Map<String, Held> exported = heldMap(body.path("Exported"), null);
            Map<String, Held> imported = heldMap(body.path("Imported"), purging);
            Map<String, Refusal> refused = new TreeMap<>();
            body.path("Refused").forEach(node -> refused.put(node.path("Service").asText(), new Refusal(
                    node.path("Version").asLong(), node.path("Reason").asText(),
                    Instant.ofEpochMilli(node.path("At").asLong()))));
            return new View(exported, imported, purging, refused);
        } catch (IOException e) {
            throw new IllegalStateException("the peer's answer is not JSON: " + e.getMessage());
        }
    }

    private static List<Map<String, Object>> heldList(Map<String, Held> held, java.util.Set<String> purging) {
        List<Map<String, Object>> list = new ArrayList<>();
        held.forEach((service, h) -> {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("Service", service);
            item.put("Version", h.version());
            item.put("Instances", h.instances());
            item.put("Digest", h.digest());
            item.put("ChangedAt", h.changedAt() == null ? 0 : h.changedAt().toEpochMilli());
            item.put("Exported", !purging.contains(service));
            list.add(item);
        });
        return list;
    }

    private static Map<String, Held> heldMap(JsonNode list, java.util.Set<String> purging) {
        Map<String, Held> held = new TreeMap<>();
        list.forEach(node -> {
            String service = node.path("Service").asText();
            if (!isServiceName(service)) {
                return;
            }
            long changedAt = node.path("ChangedAt").asLong();
            held.put(service, new Held(node.path("Version").asLong(), node.path("Instances").asLong(),
                    node.path("Digest").asText(), changedAt == 0 ? null : Instant.ofEpochMilli(changedAt)));
            if (purging != null && !node.path("Exported").asBoolean(true)) {
                purging.add(service);
            }
        });
        return held;
    }

    /** The later of a service's own refusal and the service list's (either may be null). */
    private static Refusal latest(Refusal service, Refusal list) {
        if (service == null || list == null) {
            return service == null ? list : service;
        }
        return list.at().isAfter(service.at()) ? list : service;
    }

    private static boolean isServiceName(String service) {
        return !service.isBlank() && service.indexOf('#') < 0 && service.chars().noneMatch(Character::isISOControl);
    }

    private static Held held(ServiceHead head) {
        return new Held(head.index(), head.count(), head.digest(),
                head.changedAt() == 0 ? null : Instant.ofEpochMilli(head.changedAt()));
    }

}
