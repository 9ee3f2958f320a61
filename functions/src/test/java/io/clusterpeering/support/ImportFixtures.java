package io.clusterpeering.support;

import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.PeeringStore.DialerDetails;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the importer's store and service tests start from: an ACTIVE peering made through the store's own rules
 * (generate, then the secret consumed), and imported instances as the exporter sends them.
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
        PeeringKey key = new PeeringKey("default", "peer-" + UUID.randomUUID().toString().substring(0, 8));
        Peering pending = store.createPendingOrRenewSecret(key, null, issued("hash"));
        return store.consumeEstablishmentSecret(pending.id(), "hash", new DialerDetails(UUID.randomUUID().toString(),
                List.of("-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"), "server.dc2.peering.x.consul",
                List.of("http://127.0.0.1:1"), new Remote("default", "dc2")), Instant.now());
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
