package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.ConfigEntryRules;
import io.clusterpeering.domain.HealthStatus;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.peer.ReplicationSnapshot;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Service export and import between peers (Consul's peer stream resources, over our signed messages). The
 * exporter sends each ACTIVE peer its whole {@link ReplicationSnapshot}: on every change of the local catalog
 * or the exported-services entry (driven by the table's stream) and on every heartbeat round (the resync
 * that heals a lost push). The importer applies it idempotently under the peer's own key.
 */
@Singleton
public class ReplicationService {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicationService.class);
    /** Consul never exports its own service, even through a wildcard. */
    private static final String CONSUL_SERVICE = "consul";

    private final PeeringStore peerings;
    private final CatalogStore catalog;
    private final ImportedDataStore imported;
    private final ConfigEntryService configEntries;
    private final ClusterIdentitySource identitySource;
    private final PeerMessages messages;
    private final PeerClient peers;
    private final PeeringConfiguration config;
    private final PeeringMetrics metrics;

    public ReplicationService(PeeringStore peerings, CatalogStore catalog, ImportedDataStore imported,
                              ConfigEntryService configEntries, ClusterIdentitySource identitySource,
                              PeerMessages messages, PeerClient peers, PeeringConfiguration config,
                              PeeringMetrics metrics) {
        this.metrics = metrics;
        this.peerings = peerings;
        this.catalog = catalog;
        this.imported = imported;
        this.configEntries = configEntries;
        this.identitySource = identitySource;
        this.messages = messages;
        this.peers = peers;
        this.config = config;
    }

    /**
     * Which peers each local service is exported to, from the partition's exported-services entry, with a
     * wildcard service name expanded to every local service but {@code consul} that has no entry of its own
     * (an exact match beats the wildcard, as in Consul).
     *
     * @return service name → sorted peer names
     */
    public Map<String, List<String>> exports(String partition) {
        Map<String, TreeSet<String>> result = new TreeMap<>();
        configEntries.exportedServices(partition).ifPresent(entry -> {
            Map<String, List<String>> byService = ConfigEntryRules.exportedServicesByPeerConsumer(entry);
            List<String> localServices = catalog.localInstances(partition, null).stream()
                    .map(ServiceInstance::service).distinct().toList();
            byService.forEach((service, consumers) -> {
                if (!service.equals("*") && !service.equals(CONSUL_SERVICE)) {
                    result.computeIfAbsent(service, n -> new TreeSet<>()).addAll(consumers);
                }
            });
            // An exact entry beats the wildcard: the wildcard's consumers get only services without one.
            List<String> wildcardConsumers = byService.getOrDefault("*", List.of());
            for (String name : localServices) {
                if (!wildcardConsumers.isEmpty() && !byService.containsKey(name) && !name.equals(CONSUL_SERVICE)) {
                    result.computeIfAbsent(name, n -> new TreeSet<>()).addAll(wildcardConsumers);
                }
            }
        });
        Map<String, List<String>> sorted = new TreeMap<>();
        result.forEach((service, consumers) -> sorted.put(service, List.copyOf(consumers)));
        return sorted;
    }

    /**
     * What the partition imports: each service with the local name of the peer it comes from, from the
     * peers' latest snapshots, ordered by peer then service.
     */
    public List<Imported> imports(String partition) {
        List<Imported> result = new ArrayList<>();
        for (Peering peering : peerings.list(partition)) {
            for (String service : imported.manifest(peering.key()).services()) {
                result.add(new Imported(service, peering.name()));
            }
        }
        return result;
    }

    /**
     * One imported service.
     *
     * @param service its name
     * @param peer    the local name of the peer it is imported from
     */
    public record Imported(String service, String peer) {
    }

    /**
     * Sends every ACTIVE peering of the partition its snapshot.
     *
     * @return how many peers took it
     */
    public int pushAll(String partition) {
        return pushAll(partition, java.util.Set.of());
    }

    /** As {@link #pushAll(String)}, skipping the peerings with the given IDs. */
    public int pushAll(String partition, java.util.Set<String> skippedIds) {
        return pushAll(partition, skippedIds, null);
    }

    /**
     * As {@link #pushAll(String, java.util.Set)}, for a change that reached the stream handler at {@code changedAt},
     * which the snapshots carry so the peer can measure the replication lag ({@link ReplicationLag}); null for a
     * resync, whose snapshots carry the time they were read.
     */
    public int pushAll(String partition, java.util.Set<String> skippedIds, Instant changedAt) {
        Map<String, List<String>> exports = exports(partition);
        int delivered = 0;
        for (Peering peering : peerings.list(partition)) {
            if (peering.state() == PeeringState.ACTIVE && !skippedIds.contains(peering.id())
                    && push(peering, exports, changedAt)) {
                delivered++;
            }
        }
        return delivered;
    }

    /** Sends one peering its snapshot; records the exported services on success. @return whether it was taken */
    public boolean push(Peering peering, Map<String, List<String>> exports) {
        return push(peering, exports, null);
    }

    /** As {@link #push(Peering, Map)}, stamped with the time of the change it carries (null: the read time). */
    public boolean push(Peering peering, Map<String, List<String>> exports, Instant changedAt) {
        // The sequence number is taken before the catalog is read: a snapshot read earlier is never numbered later.
        Instant readAt = Instant.now();
        ReplicationSnapshot snapshot = snapshotFor(peering, exports);
        try {
            PeerClient.PeerAnswer answer = peers.post(peering.peerUrls(), PeeringService.MESSAGE_PATH,
                    messages.signMessage(PeerMessage.Kind.REPLICATION, peering.id(), peering.peerId(), readAt,
                            ReplicationLag.stamp(snapshot.toClaim(), changedAt == null ? readAt : changedAt)),
                    "send exported services");
            if (answer.ok()) {
                peerings.recordExport(peering, snapshot.services());
                return true;
            }
            LOG.warn("peer of {} refused exported services with {}: {}", peering.name(), answer.status(), answer.body());
        } catch (RuntimeException e) {
            LOG.warn("sending exported services to the peer of {} failed: {}", peering.name(), e.getMessage());
        }
        return false;
    }

    /** What one peer gets: the services exported to it, their instances with folded checks, our roots. */
    ReplicationSnapshot snapshotFor(Peering peering, Map<String, List<String>> exports) {
        List<String> services = new ArrayList<>();
        List<ServiceInstance> instances = new ArrayList<>();
        exports.forEach((service, consumers) -> {
            if (consumers.contains(peering.name())) {
                services.add(service);
                for (ServiceInstance local : catalog.localInstances(peering.partition(), service)) {
                    instances.add(folded(local));
                }
            }
        });
        ClusterIdentity identity = identitySource.identity();
        URI advertised = URI.create(config.getAdvertiseUrl());
        int port = advertised.getPort() > 0 ? advertised.getPort() : ("https".equals(advertised.getScheme()) ? 443 : 80);
        return new ReplicationSnapshot(services, instances, identity.caPems(), identity.clusterId() + ".consul",
                List.of(advertised.getHost() + ":" + port));
    }

    /** An instance as a peer sees it: its checks folded into one overall check. */
    static ServiceInstance folded(ServiceInstance local) {
        return new ServiceInstance(local.node(), local.nodeId(), local.address(), local.datacenter(), local.nodeMeta(),
                local.taggedAddresses(), local.serviceId(), local.service(), local.tags(), local.serviceAddress(),
                local.port(), local.serviceMeta(),
                List.of(HealthStatus.overallCheck(local.node(), local.serviceId(), local.service(), local.checks())),
                "", 0, 0);
    }

    /**
     * Applies a snapshot received from the peer of {@code peering}: imported instances, manifest, trust bundle
     * (also PeerCAPems), StreamStatus.ImportedServices and (on a dialer) the acceptor's server addresses.
     * Idempotent.
     *
     * @param seq the message's sequence number; an older snapshot than the last applied changes nothing
     * @throws io.clusterpeering.domain.PeeringException.InvalidRequest when the snapshot is malformed (a field of
     *                                                                   the wrong type, roots that are not
     *                                                                   certificates); nothing is written then
     */
    public void apply(Peering peering, Map<String, Object> claim, long seq) {
        ReplicationSnapshot snapshot;
        try {
            snapshot = ReplicationSnapshot.fromClaim(claim, peering.name());
        } catch (IllegalArgumentException e) {
            throw new io.clusterpeering.domain.PeeringException.InvalidRequest(
                    "the replication snapshot is malformed: " + e.getMessage());
        }
        Instant now = Instant.now();
        if (imported.applySnapshot(peering, snapshot.services(), snapshot.instances(), seq, now)
                == ImportedDataStore.Applied.REFUSED) {
            return;
        }
        if (!snapshot.roots().isEmpty()) {
            imported.putTrustBundle(peering.key(), snapshot.trustDomain(), snapshot.roots(), now);
        }
        peerings.recordImport(peering, snapshot.services(), snapshot.roots(), snapshot.serverAddresses());
        ReplicationLag.of(claim, now).ifPresent(lag -> metrics.replicationLag(peering, lag));
    }
}
