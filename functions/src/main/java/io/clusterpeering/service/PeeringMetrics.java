package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringStatus;
import io.clusterpeering.metrics.EmfWriter;
import io.clusterpeering.metrics.MetricsRegistry;
import io.clusterpeering.store.PeeringStore;
import jakarta.inject.Singleton;
import software.amazon.cloudwatchlogs.emf.environment.LambdaEnvironment;
import software.amazon.cloudwatchlogs.emf.model.Unit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The metrics recorder the use cases call: Consul's peering metrics by name ({@code consul.peering.healthy},
 * {@code consul.peering.exported_services}, {@code consul.peering.imported_services}, labelled
 * {@code peer_name}, {@code peer_id}, {@code partition}) and ours under {@code cluster_peering.}: establish
 * latency, heartbeat round trip and its p50/p99 over the last heartbeats, replication lag, purge throughput and
 * refused tokens. Each observation goes to this process's {@link MetricsRegistry} and, in AWS
 * ({@code peering.metrics-emf}), out as one CloudWatch EMF line.
 *
 * <p>{@link #snapshot()} is what {@code /v1/agent/metrics} renders: the per-peering gauges are computed from the
 * store at the time of the read (so every instance answers the same), the counters and samples are this process's.
 */
@Singleton
public class PeeringMetrics {
    public static final String HEALTHY = "consul.peering.healthy";
    public static final String EXPORTED_SERVICES = "consul.peering.exported_services";
    public static final String IMPORTED_SERVICES = "consul.peering.imported_services";
    public static final String ESTABLISH_DURATION = "cluster_peering.establish.duration_ms";
    public static final String HEARTBEAT_RTT = "cluster_peering.heartbeat.rtt_ms";
    public static final String HEARTBEAT_RTT_P50 = "cluster_peering.heartbeat.rtt_p50_ms";
    public static final String HEARTBEAT_RTT_P99 = "cluster_peering.heartbeat.rtt_p99_ms";
    public static final String REPLICATION_LAG = "cluster_peering.replication.lag_ms";
    public static final String PURGE_RATE = "cluster_peering.purge.items_per_second";
    public static final String PURGED_ITEMS = "cluster_peering.purge.items";
    public static final String REFUSED_TOKENS = "cluster_peering.establish.refused_tokens";

    private final MetricsRegistry registry;
    private final PeeringStore store;
    private final PeeringConfiguration config;
    private final EmfWriter emf;

    public PeeringMetrics(MetricsRegistry registry, PeeringStore store, PeeringConfiguration config) {
        this.registry = registry;
        this.store = store;
        this.config = config;
        this.emf = config.isMetricsEmf() ? new EmfWriter(new LambdaEnvironment(), config.getDatacenter()) : null;
    }

    /** An establishment that succeeded, and how long it took (validation, exchange, save, first heartbeat). */
    public void establishDuration(PeeringKey key, long millis) {
        sample(ESTABLISH_DURATION, peer(key), millis, Unit.MILLISECONDS);
    }

    /** A token refused on establish; {@code reason} is {@code invalid}, {@code expired} or {@code rejected}. */
    public void refusedToken(String partition, String reason) {
        Map<String, String> labels = Map.of("partition", partition, "reason", reason);
        registry.count(REFUSED_TOKENS, labels, 1);
        emit(REFUSED_TOKENS, labels, 1, Unit.COUNT);
    }

    /** A heartbeat the peer accepted, its round trip, and the peering's p50/p99 over the latest heartbeats. */
    public void heartbeatRoundTrip(Peering peering, long millis, io.clusterpeering.domain.LinkLatency window) {
        sample(HEARTBEAT_RTT, peer(peering.key()), millis, Unit.MILLISECONDS);
        emit(HEARTBEAT_RTT_P50, peerLabels(peering), window.p50(), Unit.MILLISECONDS);
        emit(HEARTBEAT_RTT_P99, peerLabels(peering), window.p99(), Unit.MILLISECONDS);
    }

    /** A replicated change applied here, and how long after the change on the peer. */
    public void replicationLag(Peering peering, long millis) {
        sample(REPLICATION_LAG, peer(peering.key()), Math.max(0, millis), Unit.MILLISECONDS);
    }

    /** A finished purge: how many items, and how fast. */
    public void purge(PeeringKey key, long items, long millis) {
        registry.count(PURGED_ITEMS, peer(key), items);
        emit(PURGED_ITEMS, peer(key), items, Unit.COUNT);
        if (items > 0) {
            sample(PURGE_RATE, peer(key), items * 1000.0 / Math.max(1, millis), Unit.COUNT_SECOND);
        }
    }

    /**
     * The health gauges of one connected peering, as the heartbeat round sees it: written as EMF in AWS (the
     * alarm on a FAILING peering watches {@code consul.peering.healthy}); locally they are read from the store.
     */
    public void peeringGauges(Peering peering, boolean healthy) {
        emit(HEALTHY, peerLabels(peering), healthy ? 1 : 0, Unit.NONE);
        emit(EXPORTED_SERVICES, peerLabels(peering), peering.liveness().exportedServices().size(), Unit.COUNT);
        emit(IMPORTED_SERVICES, peerLabels(peering), peering.liveness().importedServices().size(), Unit.COUNT);
    }

    /**
     * Everything {@code /v1/agent/metrics} shows: this process's registry plus, computed from the store now, for
     * every connected peering of every partition: {@code consul.peering.healthy} (1, or 0 while it reads
     * FAILING), {@code consul.peering.exported_services}, {@code consul.peering.imported_services}, and the p50/p99
     * of its latest heartbeats' round trips when it has any. Costs one read of the partition list and one query
     * per partition.
     */
    public MetricsRegistry.Snapshot snapshot() {
        MetricsRegistry.Snapshot local = registry.snapshot();
        Instant now = Instant.now();
        List<MetricsRegistry.Gauge> gauges = new ArrayList<>(local.gauges());
        for (String partition : store.partitions()) {
            for (Peering peering : store.list(partition)) {
                if (!peering.state().isConnected()) {
                    continue;
                }
                Map<String, String> labels = peerLabels(peering);
                boolean healthy = PeeringStatus.failureReason(peering, now, config.getHeartbeatTimeout()) == null;
                gauges.add(new MetricsRegistry.Gauge(HEALTHY, healthy ? 1 : 0, labels));
                gauges.add(new MetricsRegistry.Gauge(EXPORTED_SERVICES, peering.liveness().exportedServices().size(), labels));
                gauges.add(new MetricsRegistry.Gauge(IMPORTED_SERVICES, peering.liveness().importedServices().size(), labels));
                if (!peering.liveness().latency().isEmpty()) {
                    gauges.add(new MetricsRegistry.Gauge(HEARTBEAT_RTT_P50, peering.liveness().latency().p50(), labels));
                    gauges.add(new MetricsRegistry.Gauge(HEARTBEAT_RTT_P99, peering.liveness().latency().p99(), labels));
                }
            }
        }
        gauges.sort(java.util.Comparator.comparing(MetricsRegistry.Gauge::name).thenComparing(g -> g.labels().toString()));
        return new MetricsRegistry.Snapshot(local.at(), gauges, local.counters(), local.samples());
    }

    private void sample(String name, Map<String, String> labels, double value, Unit unit) {
        registry.sample(name, labels, value);
        emit(name, labels, value, unit);
    }

    private void emit(String name, Map<String, String> labels, double value, Unit unit) {
        if (emf != null) {
            emf.write(name, labels, value, unit);
        }
    }

    private static Map<String, String> peer(PeeringKey key) {
        return Map.of("peer_name", key.name(), "partition", key.partition());
    }

    private static Map<String, String> peerLabels(Peering peering) {
        return Map.of("peer_name", peering.name(), "peer_id", peering.id(), "partition", peering.partition());
    }
}
