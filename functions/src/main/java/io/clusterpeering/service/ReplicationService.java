package io.clusterpeering.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.ConfigEntryRules;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.PeeringStatus;
import io.clusterpeering.domain.ServiceDigest;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.peer.ReplicationMessages;
import io.clusterpeering.peer.ReplicationMessages.ListedService;
import io.clusterpeering.peer.ReplicationMessages.ServiceChunk;
import io.clusterpeering.peer.ReplicationMessages.ReplicationBody;
import io.clusterpeering.peer.ReplicationMessages.ServiceList;
import io.clusterpeering.peer.ReplicationMessages.ServiceUpdate;
import io.clusterpeering.store.CatalogReads;
import io.clusterpeering.store.CatalogReads.ExportedInstance;
import io.clusterpeering.store.CatalogReads.ServiceHead;
import io.clusterpeering.store.CatalogReads.ServiceListing;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.StreamStatusStore;
import io.clusterpeering.store.SyncRefusalStore;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Service export and import between peers, per service (Consul streams per-service resources with a version
 * and ACK/NACK; we send signed messages, {@link ReplicationMessages}):
 * <ul>
 *   <li><b>a change</b> of local instances (the table's stream) is sent to each consumer of their service as a
 *       {@link ServiceUpdate} holding just those instances, each with its version (its ModifyIndex here): the cost
 *       of a change is the change, whatever the size of the catalog or the export;</li>
 *   <li><b>a resync</b> (every heartbeat, a change of the exported-services entry, a peer that just connected)
 *       sends the peer its {@link ServiceList}: each exported service's digest and count. The peer answers with
 *       the services whose digest differs from its own, and only those are sent again, whole, as
 *       {@link ServiceChunk}s of at most {@link #MESSAGE_BUDGET_BYTES}. A lost update is healed at the next resync
 *       without re-sending anything else; a service the list no longer names is purged on the peer.</li>
 * </ul>
 * The importer keeps per service a head (index, count, digest) and per instance the version it applied, so
 * messages may arrive late, twice or out of order: that side is {@link ImportService}; this class is the exporter.
 */
@Singleton
public class ReplicationService {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationService.class);
    /** Consul never exports its own service, even through a wildcard. */
    private static final String CONSUL_SERVICE = "consul";
    /**
     * The most JSON one message's body carries, in bytes. Signed, the body grows by a third (base64url): a message
     * stays near 260 KB, far below API Gateway's 10 MB and Lambda's 6 MB request limits.
     */
    static final int MESSAGE_BUDGET_BYTES = 192 * 1024;
    /** Instances read per query page when a service is sent whole. */
    private static final int SNAPSHOT_PAGE = 500;
    /** How long one read of a partition's exports serves the resyncs of a heartbeat round. */
    private static final Duration EXPORT_VIEW_LIFETIME = Duration.ofSeconds(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PeeringStore peerings;
    private final StreamStatusStore streamStatus;
    private final CatalogReads catalog;
    private final ConfigEntryService configEntries;
    private final ClusterIdentitySource identitySource;
    private final PeerMessages messages;
    private final PeerClient peers;
    private final PeeringConfiguration config;
    private final ReplicationTraffic traffic;
    private final SyncRefusalStore refusals;
    private final ExecutorService senders;
    private final Map<String, ExportView> exportViews = new ConcurrentHashMap<>();

    public ReplicationService(PeeringStore peerings, StreamStatusStore streamStatus, CatalogReads catalog,
                              ConfigEntryService configEntries, ClusterIdentitySource identitySource,
                              PeerMessages messages, PeerClient peers, PeeringConfiguration config,
                              ReplicationTraffic traffic, SyncRefusalStore refusals) {
        this.peerings = peerings;
        this.streamStatus = streamStatus;
        this.catalog = catalog;
        this.configEntries = configEntries;
        this.identitySource = identitySource;
        this.messages = messages;
        this.peers = peers;
        this.config = config;
        this.traffic = traffic;
        this.refusals = refusals;
        this.senders = Executors.newFixedThreadPool(config.getReplicationConcurrency(), runnable -> {
            Thread thread = new Thread(runnable, "replication-sender");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Stops the sender threads with the application context. */
    @PreDestroy
    void close() throws InterruptedException {
        senders.shutdownNow();
        senders.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- what is exported

    /**
     * Which peers each local service is exported to, from the partition's exported-services entry, with a
     * wildcard service name expanded to every local service with instances but {@code consul} that has no entry of
     * its own (an exact match beats the wildcard, as in Consul). Reads the entry and the service heads (one query
     * over services, none over instances).
     *
     * @return service name → sorted peer names
     */
    public Map<String, List<String>> exports(String partition) {
        return exportView(partition, false).exports();
    }

    /**
     * {@link #exports} with the index it reflects, for {@code GET /v1/exported-services}: the entry's
     * ModifyIndex plus the service list's counter (the sum of the two counters a blocking read waits on).
     */
    public io.clusterpeering.domain.Indexed<Map<String, List<String>>> exportsWithIndex(String partition) {
        ExportView view = exportView(partition, false);
        return new io.clusterpeering.domain.Indexed<>(view.exports(), view.index());
    }

    /** The partition's exports, as read at {@code readAt} (nanoTime). */
    /**
     * @param index    the Consul index of the exports (entry and service list)
     * @param readAt   when it was read, {@link System#nanoTime} (for the cache's lifetime)
     * @param viewedAt when its reads began, epoch milliseconds: what a list made from it is ordered by on the peer
     */
    private record ExportView(Map<String, List<String>> exports, long index, long readAt, long viewedAt) {
    }

    private ExportView exportView(String partition, boolean cached) {
        ExportView view = cached ? exportViews.get(partition) : null;
        if (view != null && System.nanoTime() - view.readAt() < EXPORT_VIEW_LIFETIME.toNanos()) {
            return view;
        }
        long viewedAt = System.currentTimeMillis();
        Optional<Map<String, Object>> entry = configEntries.exportedServices(partition);
        var localServices = catalog.localServices(partition);
        Map<String, List<String>> byService = entry.map(ConfigEntryRules::exportedServicesByPeerConsumer).orElse(Map.of());
        Map<String, TreeSet<String>> result = new TreeMap<>();
        byService.forEach((service, consumers) -> {
            if (!service.equals("*") && !service.equals(CONSUL_SERVICE)) {
                result.computeIfAbsent(service, n -> new TreeSet<>()).addAll(consumers);
            }
        });
        List<String> wildcardConsumers = byService.getOrDefault("*", List.of());
        if (!wildcardConsumers.isEmpty()) {
            localServices.value().stream().filter(ServiceListing::listed).map(ServiceListing::service)
                    .filter(name -> !byService.containsKey(name) && !name.equals(CONSUL_SERVICE))
                    .forEach(name -> result.computeIfAbsent(name, n -> new TreeSet<>()).addAll(wildcardConsumers));
        }
        Map<String, List<String>> exports = new TreeMap<>();
        result.forEach((service, consumers) -> exports.put(service, List.copyOf(consumers)));
        long entryIndex = entry.map(e -> e.get("ModifyIndex") instanceof Number n ? n.longValue() : 0L).orElse(0L);
        view = new ExportView(exports, entryIndex + localServices.index(), System.nanoTime(), viewedAt);
        exportViews.put(partition, view);
        return view;
    }

    /** The peers one service is exported to (exact entry first, else the wildcard's), without listing services. */
    private static List<String> consumersOf(Map<String, List<String>> byService, String service) {
        if (byService.containsKey(service)) {
            return byService.get(service);
        }
        return service.equals(CONSUL_SERVICE) ? List.of() : byService.getOrDefault("*", List.of());
    }

    /**
     * What the partition imports: each service with the local name of the peer it comes from, from the peerings'
     * StreamStatus.ImportedServices (one query over the partition's peerings), ordered by peer then service.
     */
    public List<Imported> imports(String partition) {
        return importsWithIndex(partition).value();
    }

    /** {@link #imports} with the partition's peerings counter, read in the same query. */
    public io.clusterpeering.domain.Indexed<List<Imported>> importsWithIndex(String partition) {
        var listed = peerings.listWithIndex(partition);
        List<Imported> result = new ArrayList<>();
        for (Peering peering : listed.value()) {
            if (peering.state().isConnected()) {
                peering.liveness().importedServices().forEach(service -> result.add(new Imported(service, peering.name())));
            }
        }
        return new io.clusterpeering.domain.Indexed<>(result, listed.index());
    }

    /**
     * One imported service.
     *
     * @param service its name
     * @param peer    the local name of the peer it is imported from
     */
    public record Imported(String service, String peer) {
    }

    // ---------------------------------------------------------------- exporter: changes

    /**
     * Sends each consumer of the changed services an update holding just the changed instances, read as they are
     * now (a removed one as a deletion). Consumers are the ACTIVE peerings the services are exported to; one that
     * is FAILING is skipped (the resync once it answers again heals it). Sends to several peers at once.
     *
     * @param changed service → instance IDs ({@code <node>#<service id>}) whose items changed
     * @return how many update messages the peers took
     */
    public int pushChanges(String partition, Map<String, List<String>> changed) {
        return pushChanges(partition, changed, Instant.now());
    }

    /**
     * As {@link #pushChanges(String, Map)}, for changes that reached the stream handler at {@code changedAt}: the
     * updates carry that time so the peer can measure the replication lag ({@link ReplicationLag}).
     */
    public int pushChanges(String partition, Map<String, List<String>> changed, Instant changedAt) {
        long viewedAt = System.currentTimeMillis();
        Map<String, List<String>> byService = configEntries.exportedServices(partition)
                .map(ConfigEntryRules::exportedServicesByPeerConsumer).orElse(Map.of());
        Map<String, List<String>> consumers = new TreeMap<>();
        TreeSet<String> names = new TreeSet<>();
        changed.keySet().forEach(service -> {
            List<String> peersOf = consumersOf(byService, service);
            if (!peersOf.isEmpty()) {
                consumers.put(service, peersOf);
                names.addAll(peersOf);
            }
        });
        if (consumers.isEmpty()) {
            return 0;
        }
        Instant now = Instant.now();
        Map<String, Peering> active = new HashMap<>();
        for (Peering peering : peerings.findAll(names.stream().map(n -> new PeeringKey(partition, n)).toList())) {
            if (peering.state() == PeeringState.ACTIVE
                    && PeeringStatus.shownState(peering, now, config.getHeartbeatTimeout()) == PeeringState.ACTIVE) {
                active.put(peering.name(), peering);
            }
        }
        List<Future<Integer>> sends = new ArrayList<>();
        consumers.forEach((service, peerNames) -> {
            List<Peering> targets = peerNames.stream().map(active::get).filter(java.util.Objects::nonNull).toList();
            if (targets.isEmpty()) {
                return;
            }
            List<ServiceUpdate> updates = updates(service, catalog.exportedInstances(partition, service, changed.get(service)));
            for (Peering peering : targets) {
                sends.add(senders.submit(() -> {
                    int taken = 0;
                    for (ServiceUpdate update : updates) {
                        if (send(peering, PeerMessage.Kind.SERVICE_UPDATE,
                                update.stamped(viewedAt, changedAt.toEpochMilli()), "send service update").isPresent()) {
                            taken++;
                        }
                    }
                    return taken;
                }));
            }
        });
        return sum(sends);
    }

    /** The updates that carry the instances, split to stay under the message budget. */
    private static List<ServiceUpdate> updates(String service, List<ExportedInstance> instances) {
        List<ServiceUpdate> updates = new ArrayList<>();
        List<VersionedInstance> current = new ArrayList<>();
        int bytes = 0;
        for (ExportedInstance instance : instances) {
            VersionedInstance versioned = new VersionedInstance(instance.node(), instance.serviceId(), instance.instance(),
                    Math.max(1, instance.version()));
            int size = wireSize(versioned);
            if (!current.isEmpty() && bytes + size > MESSAGE_BUDGET_BYTES) {
                updates.add(new ServiceUpdate(service, List.copyOf(current)));
                current.clear();
                bytes = 0;
            }
            current.add(versioned);
            bytes += size;
        }
        if (!current.isEmpty()) {
            updates.add(new ServiceUpdate(service, current));
        }
        return updates;
    }

    // ---------------------------------------------------------------- exporter: resync

    /**
     * Resyncs every ACTIVE peering of the partition (after a change of the exported-services entry), several at
     * once.
     *
     * @return how many peers took the service list
     */
    public int resyncAll(String partition) {
        List<Future<Integer>> sends = new ArrayList<>();
        for (Peering peering : peerings.list(partition)) {
            if (peering.state() == PeeringState.ACTIVE) {
                sends.add(senders.submit(() -> resync(peering, false) ? 1 : 0));
            }
        }
        return sum(sends);
    }

    /**
     * Resyncs one peer: sends it the list of the services exported to it with their digests, then sends whole
     * each service it answers differs. Records StreamStatus.ExportedServices when the peer took the list.
     *
     * @param cachedExports whether the partition's exports may be taken from a read at most two seconds old
     *                      (a heartbeat round resyncs many peers of one partition)
     * @return whether the peer took the list
     */
    public boolean resync(Peering peering, boolean cachedExports) {
        ExportView view = exportView(peering.partition(), cachedExports);
        List<String> services = new ArrayList<>();
        view.exports().forEach((service, consumers) -> {
            if (consumers.contains(peering.name())) {
                services.add(service);
            }
        });
        Map<String, ServiceHead> heads = catalog.localServices(peering.partition(), services);
        List<ListedService> listed = new ArrayList<>();
        for (String service : services) {
            ServiceHead head = heads.get(service);
            listed.add(head == null ? new ListedService(service, ServiceDigest.format(ServiceDigest.EMPTY), 0, 0)
                    : new ListedService(service, head.digest(), head.count(), head.index()));
        }
        ClusterIdentity identity = identitySource.identity();
        URI advertised = URI.create(config.getAdvertiseUrl());
        int port = advertised.getPort() > 0 ? advertised.getPort() : ("https".equals(advertised.getScheme()) ? 443 : 80);
        ServiceList list = new ServiceList(listed, identity.caPems(), identity.clusterId() + ".consul",
                List.of(advertised.getHost() + ":" + port), view.viewedAt());
        Optional<String> answer = send(peering, PeerMessage.Kind.EXPORTED_SERVICES, list, "send exported services");
        if (answer.isEmpty()) {
            return false;
        }
        streamStatus.recordExport(peering, listed.stream().map(ListedService::name).toList(),
                identity.rotation().phase() == io.clusterpeering.token.CaRotation.Phase.NONE ? null
                        : io.clusterpeering.token.CaRotation.fingerprint(list.roots()));
        for (String service : resendList(answer.get())) {
            if (listed.stream().anyMatch(l -> l.name().equals(service))) {
                sendService(peering, service);
            }
        }
        return true;
    }

    private static List<String> resendList(String answer) {
        try {
            JsonNode resend = JSON.readTree(answer).path("Resend");
            List<String> services = new ArrayList<>();
            resend.forEach(node -> services.add(node.asText()));
            return services;
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * Sends one service whole, in key order, as chunks of at most {@link #MESSAGE_BUDGET_BYTES}, each naming the
     * range of instance IDs it covers and the service version read before the instances, so the peer can make
     * that range match without waiting for the other chunks.
     *
     * @return how many chunks the peer took
     */
    public int sendService(Peering peering, String service) {
        // A resync's chunks carry the time the catalog was read, for the peer's replication lag.
        OptionalLong readAt = OptionalLong.of(Instant.now().toEpochMilli());
        long version = catalog.localService(peering.partition(), service).index();
        int taken = 0;
        String after = "";
        String pageAfter = "";
        List<VersionedInstance> chunk = new ArrayList<>();
        int bytes = 0;
        boolean more = true;
        while (more) {
            CatalogReads.ExportPage page = catalog.exportPage(peering.partition(), service, pageAfter, SNAPSHOT_PAGE);
            more = page.more() && !page.instances().isEmpty();
            for (ExportedInstance instance : page.instances()) {
                VersionedInstance versioned = new VersionedInstance(instance.node(), instance.serviceId(),
                        instance.instance(), Math.max(1, instance.version()));
                int size = wireSize(versioned);
                if (!chunk.isEmpty() && bytes + size > MESSAGE_BUDGET_BYTES) {
                    String through = chunk.get(chunk.size() - 1).instanceId();
                    taken += sendChunk(peering, new ServiceChunk(service, version, after, through, List.copyOf(chunk), readAt));
                    after = through;
                    chunk.clear();
                    bytes = 0;
                }
                chunk.add(versioned);
                bytes += size;
                pageAfter = versioned.instanceId();
            }
        }
        return taken + sendChunk(peering, new ServiceChunk(service, version, after, null, chunk, readAt));
    }

    private int sendChunk(Peering peering, ServiceChunk chunk) {
        return send(peering, PeerMessage.Kind.SERVICE_SNAPSHOT, chunk, "send service snapshot").isPresent() ? 1 : 0;
    }

    /**
     * Signs and posts one replication message, counting it in {@link ReplicationTraffic}. A refusal (the peer
     * answered, with an error) is recorded for the service's sync status ({@link SyncRefusalStore}); a message that
     * did not arrive is only logged (the service then shows as not acknowledged).
     *
     * @return the peer's answer body when it took the message (HTTP 200), else empty (logged)
     */
    private Optional<String> send(Peering peering, PeerMessage.Kind kind, ReplicationBody body, String purpose) {
        try {
            String signed = messages.signMessage(kind, peering.id(), peering.peerId(), Instant.now(), body.toClaim());
            traffic.sent(kind, signed.length());
            PeerClient.PeerAnswer answer = peers.post(peering.peerUrls(), PeeringService.MESSAGE_PATH, signed, purpose);
            if (answer.ok()) {
                return Optional.of(answer.body());
            }
            LOG.warn("peer of {} refused to {}: {} {}", peering.name(), purpose, answer.status(), answer.body());
            recordRefusal(peering, body, answer);
        } catch (RuntimeException e) {
            LOG.warn("could not {} to the peer of {}: {}", purpose, peering.name(), e.getMessage());
        }
        return Optional.empty();
    }

    private void recordRefusal(Peering peering, ReplicationBody body, PeerClient.PeerAnswer answer) {
        ReplicationMessages.Subject subject = ReplicationMessages.Subject.of(body);
        String reason = subject.what() + " refused: " + answer.status() + " "
                + io.clusterpeering.peer.PeerText.excerpt(answer.body());
        try {
            refusals.record(peering, new SyncRefusalStore.Refusal(subject.service(), subject.version(), reason, Instant.now()));
        } catch (RuntimeException e) {
            LOG.warn("could not record that the peer of {} refused a {}: {}", peering.name(), subject.what(), e.getMessage());
        }
    }

    private static int wireSize(VersionedInstance instance) {
        try {
            return JSON.writeValueAsBytes(ReplicationMessages.toWire(instance)).length + 1;
        } catch (IOException e) {
            throw new IllegalStateException("an instance could not be written as JSON", e);
        }
    }

    private static int sum(List<Future<Integer>> futures) {
        int total = 0;
        for (Future<Integer> future : futures) {
            try {
                total += future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                LOG.warn("a replication send failed: {}", e.getCause().getMessage());
            }
        }
        return total;
    }

    /** Changed local instances grouped by service: service → sorted instance IDs. */
    public static Map<String, List<String>> byService(java.util.Collection<io.clusterpeering.store.CatalogStore.InstanceRef> refs) {
        Map<String, TreeSet<String>> grouped = new TreeMap<>();
        refs.forEach(ref -> grouped.computeIfAbsent(ref.service(), s -> new TreeSet<>()).add(ref.instanceId()));
        Map<String, List<String>> result = new TreeMap<>();
        grouped.forEach((service, ids) -> result.put(service, List.copyOf(ids)));
        return result;
    }
}
