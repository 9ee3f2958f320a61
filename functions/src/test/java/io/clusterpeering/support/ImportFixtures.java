package io.clusterpeering.support;

import io.clusterpeering.domain.Liveness;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.store.PeeringBulkLoad;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.PeeringStore.DialerDetails;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the importer's store and service tests start from: an ACTIVE peering made through the store's own rules
 * (generate, then the secret consumed), and imported instances as the exporter sends them; and, for tests of many
 * peerings, a live dialer row stored in one write.
 */
public final class ImportFixtures {
    private ImportFixtures() {
    }

    /** A new establishment secret as the store takes it: the hash, generated now, expiring in an hour. */
    public static PeeringStore.IssuedSecret issued(String secretHash) {
        Instant now = Instant.now();
        return new PeeringStore.IssuedSecret(secretHash, now, now.plusSeconds(3600));
    }

    /** An ACTIVE acceptor peering with a random name whose peer is unreachable (nothing calls it but a deletion's notice). */
    public static Peering activePeering(PeeringStore store) {
        return activePeering(store, new PeeringKey("default", "peer-" + UUID.randomUUID().toString().substring(0, 8)),
                "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
    }

    /** An ACTIVE acceptor peering of that key whose peer's CA is the given PEM and whose peer is unreachable. */
    public static Peering activePeering(PeeringStore store, PeeringKey key, String peerCaPem) {
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        return store.consumeEstablishmentSecret(pending.id(), "hash", new DialerDetails(UUID.randomUUID().toString(),
                List.of(peerCaPem), "server.dc2.peering.x.consul",
                List.of("http://127.0.0.1:1"), new Remote("default", "dc2")), Instant.now());
    }

    /**
     * An established dialer peering of that key, stored as establishing stores it (one Consul index, one
     * transaction) but ACTIVE at once, with the acceptor's CA and a heartbeat just exchanged: the cheapest row that
     * reads as a live peering, for tests that need thousands of them.
     */
    public static Peering activeDialer(PeeringStore store, ConsulIndex index, PeeringKey key, String peerCaPem) {
        long modifyIndex = index.next(IndexScope.peerings(key.partition()));
        return store.saveEstablishedDialer(liveDialer(key, peerCaPem, modifyIndex), "token-hash");
    }

    /**
     * Many rows as {@link #activeDialer} stores them, written at once ({@link PeeringBulkLoad}, all under one
     * index): for tests that need thousands of live peerings in one partition.
     *
     * @param peerCaPems each peering's peer CA, by key
     */
    public static void activeDialers(PeeringBulkLoad load, String partition, Map<PeeringKey, String> peerCaPems)
            throws InterruptedException {
        load.loadDialers(partition, peerCaPems.entrySet().stream()
                .map(entry -> liveDialer(entry.getKey(), entry.getValue(), 0)).toList(), "token-hash");
    }

    private static Peering liveDialer(PeeringKey key, String peerCaPem, long modifyIndex) {
        Instant now = Instant.now();
        String trustDomain = UUID.randomUUID() + ".consul";
        return new Peering(UUID.randomUUID().toString(), key.name(), key.partition(),
                PeeringRole.DIALER, PeeringState.ACTIVE, null, Map.of(), UUID.randomUUID().toString(), List.of(peerCaPem),
                "server.dc2.peering." + trustDomain, List.of("198.51.100.7:8443"), List.of(),
                List.of("https://198.51.100.7:8443"), new Remote("default", "dc2"),
                new Liveness(now, now, now, null, null, List.of(), List.of()), modifyIndex, modifyIndex);
    }

    /** Instance {@code i} of a service, on node {@code node-<i>}, with one tag. */
    public static ServiceInstance instance(String service, int i, String tag) {
        return new ServiceInstance("node-" + i, "", "10.0." + (i / 250) + "." + (i % 250), "dc2", Map.of(), Map.of(),
                service + "-" + i, service, List.of(tag), "", 8080, Map.of(), List.of(), "peer", 0, 0);
    }

    /** Instance {@code i} as the exporter sends it, at a version. */
    public static VersionedInstance upsert(String service, int i, String tag, long version) {
        return new VersionedInstance("node-" + i, service + "-" + i, instance(service, i, tag), version);
    }

    /** The deletion of instance {@code i}, at a version. */
    public static VersionedInstance deletion(String service, int i, long version) {
        return new VersionedInstance("node-" + i, service + "-" + i, null, version);
    }
}
