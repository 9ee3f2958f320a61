package io.clusterpeering.service;

import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.StreamStatusStore;
import io.clusterpeering.store.StreamStatusStore.RootsAck;
import io.clusterpeering.token.CaRotation;
import io.clusterpeering.token.CaRotation.Phase;
import io.clusterpeering.token.CertificateIds;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentityGenerator;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.ClusterIdentitySource.IdentityChanged;
import io.clusterpeering.token.Pem;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rotates this cluster's CA and signing key without re-peering ({@code POST /v1/connect/ca/rotate}, ours), in the
 * phases of {@link CaRotation}: the new root is presented beside the old one until every connected peer took it
 * (its resync answer, recorded as {@link RootsAck}), then the new key signs while both roots are still presented,
 * then the old root is dropped. Each step waits at least {@code peering.identity-refresh} (how long an instance may
 * hold an identity read before the step), so no instance still signs with, or presents, what the step leaves behind.
 * The steps after the first are taken by the heartbeat round ({@link #advance}), each a conditional replacement
 * of the stored identity over the revision it read, so concurrent steps (or two rotations) never both win.
 *
 * <p>Consul rotates its Connect CA through {@code PUT /v1/connect/ca/configuration} (a new root cross-signed by the
 * old, both served by {@code /v1/connect/ca/roots} until the old expires) and sends a peer the new roots in the
 * trust bundle of its peering stream; this is the same idea for the one CA our peerings and leaves share.
 */
@Singleton
public class CaRotationService {
    private static final Logger LOG = LoggerFactory.getLogger(CaRotationService.class);

    private final ClusterIdentitySource identities;
    private final PeeringStore peerings;
    private final StreamStatusStore streamStatus;
    private final Duration refresh;

    public CaRotationService(ClusterIdentitySource identities, PeeringStore peerings, StreamStatusStore streamStatus,
                             @Value("${peering.identity-refresh:60s}") Duration refresh) {
        this.identities = identities;
        this.peerings = peerings;
        this.streamStatus = streamStatus;
        this.refresh = refresh;
    }

    /**
     * Where the rotation stands.
     *
     * @param phase    none, introducing or retiring (lower case)
     * @param revision how many times the identity was rewritten
     * @param since    when the phase began; null before any rotation
     * @param roots    the roots presented to peers, active first, each as its SHA-1 fingerprint ID
     * @param waiting  what the next step waits for: peers that have not yet taken the roots, or the refresh time;
     *                 empty in phase none
     */
    public record Status(String phase, long revision, Instant since, List<String> roots, List<String> waiting) {
    }

    /**
     * Starts a rotation: generates the next CA and signing key (same cluster ID) and presents the new root beside the
     * old one from now on.
     *
     * @throws PeeringConflict when a rotation is already under way, or another step won the race (409)
     */
    public Status start() {
        ClusterIdentity current = identities.current();
        CaRotation rotation = current.rotation();
        if (rotation.phase() != Phase.NONE) {
            throw new PeeringConflict("a CA rotation is already under way: " + rotation.phase().name().toLowerCase()
                    + " since " + rotation.since() + "; it finishes on its own");
        }
        long revision = rotation.revision() + 1;
        ClusterIdentity next = ClusterIdentityGenerator.next(current, revision);
        replaceOrConflict(rotation.revision(),
                current.withRotation(new CaRotation(Phase.INTRODUCING, revision, Instant.now(), next, null)));
        LOG.info("CA rotation started (revision {}): the new root is presented beside the old one", revision);
        return status();
    }

    /** Where the rotation stands, read from the stored identity (and, while introducing, the peerings). */
    public Status status() {
        ClusterIdentity current = identities.current();
        return new Status(current.rotation().phase().name().toLowerCase(java.util.Locale.ROOT),
                current.rotation().revision(), current.rotation().since(), rootIds(current),
                waiting(current, Instant.now()));
    }

    /**
     * Takes the next step of a rotation when its time has come (the heartbeat round calls this): introducing →
     * retiring once every connected peer took both roots after the refresh time; retiring → none after the refresh
     * time. Reads the stored identity only while this instance's copy says a rotation runs. Never throws: a failed
     * step is logged and tried again at the next round.
     *
     * @return the phase after the call
     */
    public Phase advance() {
        try {
            // Most rounds have no rotation: the identity this instance holds says so without a read. A rotation
            // started elsewhere is seen within the refresh interval, which its first step waits anyway.
            if (identities.identity().rotation().phase() == Phase.NONE) {
                return Phase.NONE;
            }
            ClusterIdentity current = identities.current();
            CaRotation rotation = current.rotation();
            Instant now = Instant.now();
            if (rotation.phase() == Phase.NONE || !waiting(current, now).isEmpty()) {
                return rotation.phase();
            }
            long revision = rotation.revision() + 1;
            if (rotation.phase() == Phase.INTRODUCING) {
                identities.replace(rotation.revision(), rotation.next().withRotation(
                        new CaRotation(Phase.RETIRING, revision, now, null, current.caCertificate())));
                LOG.info("CA rotation (revision {}): every peer trusts the new root; the new key signs from now on",
                        revision);
                return Phase.RETIRING;
            }
            identities.replace(rotation.revision(), current.withRotation(
                    new CaRotation(Phase.NONE, revision, now, null, null)));
            LOG.info("CA rotation (revision {}) done: the old root is no longer presented", revision);
            return Phase.NONE;
        } catch (IdentityChanged e) {
            LOG.debug("another rotation step won: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("the CA rotation step failed; the next heartbeat round tries again: {}", e.getMessage());
        }
        return null;
    }

    /** What the next step waits for; empty when it can be taken (or there is none). */
    private List<String> waiting(ClusterIdentity identity, Instant now) {
        CaRotation rotation = identity.rotation();
        if (rotation.phase() == Phase.NONE) {
            return List.of();
        }
        List<String> waiting = new ArrayList<>();
        Instant settled = rotation.since().plus(refresh);
        if (now.isBefore(settled)) {
            waiting.add("every instance to read the identity (until " + settled + ")");
        }
        if (rotation.phase() == Phase.INTRODUCING) {
            String roots = CaRotation.fingerprint(identity.caPems());
            for (String partition : peerings.partitions()) {
                for (Map.Entry<String, RootsAck> ack : streamStatus.rootsAcknowledged(partition).entrySet()) {
                    RootsAck taken = ack.getValue();
                    if (!connected(taken.state())) {
                        continue;
                    }
                    if (!roots.equals(taken.fingerprint()) || taken.at() == null || taken.at().isBefore(settled)) {
                        waiting.add("peer " + ack.getKey() + " (partition " + partition
                                + ") to take both roots in a resync");
                    }
                }
            }
        }
        return waiting;
    }

    private static boolean connected(String state) {
        try {
            return state != null && PeeringState.valueOf(state).isConnected();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private void replaceOrConflict(long revision, ClusterIdentity next) {
        try {
            identities.replace(revision, next);
        } catch (IdentityChanged e) {
            throw new PeeringConflict("another CA rotation step changed the identity meanwhile; read "
                    + "GET /v1/connect/ca/rotation and try again");
        }
    }

    private static List<String> rootIds(ClusterIdentity identity) {
        List<String> ids = new ArrayList<>();
        for (X509Certificate root : Pem.decode(identity.caPems())) {
            ids.add(CertificateIds.fingerprint(root));
        }
        return ids;
    }
}
