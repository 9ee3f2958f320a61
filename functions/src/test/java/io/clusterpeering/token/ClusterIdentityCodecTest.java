package io.clusterpeering.token;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The stored form of the identity in each phase of a CA rotation reads back to the same identity, presenting the
 * same roots; a rotation missing its other CA is refused.
 */
class ClusterIdentityCodecTest {

    @Test
    void eachPhaseOfARotationReadsBackWithTheRootsItPresents() {
        ClusterIdentity old = ClusterIdentityGenerator.generate();
        ClusterIdentity next = ClusterIdentityGenerator.next(old, 1);
        assertEquals(old.clusterId(), next.clusterId(), "same trust domain");
        assertNotEquals(old.caPem(), next.caPem());

        ClusterIdentity introducing = old.withRotation(new CaRotation(CaRotation.Phase.INTRODUCING, 1,
                Instant.parse("2026-12-07T10:00:00Z"), next, null));
        ClusterIdentity retiring = next.withRotation(new CaRotation(CaRotation.Phase.RETIRING, 2,
                Instant.parse("2026-12-07T10:01:00Z"), null, old.caCertificate()));
        ClusterIdentity done = next.withRotation(new CaRotation(CaRotation.Phase.NONE, 3,
                Instant.parse("2026-12-07T10:02:00Z"), null, null));

        assertEquals(List.of(old.caPem()), ClusterIdentityCodec.fromFields(ClusterIdentityCodec.toFields(old)).caPems());
        for (ClusterIdentity identity : List.of(introducing, retiring, done)) {
            ClusterIdentity read = ClusterIdentityCodec.fromFields(ClusterIdentityCodec.toFields(identity));
            assertEquals(identity.caPems(), read.caPems(), identity.rotation().phase().name());
            assertEquals(identity.rotation().revision(), read.rotation().revision());
            assertEquals(identity.rotation().since(), read.rotation().since());
            assertEquals(identity.signingKey().toPublicJWK(), read.signingKey().toPublicJWK());
        }
        assertEquals(List.of(old.caPem(), next.caPem()), introducing.caPems(), "active first");
        assertEquals(List.of(next.caPem(), old.caPem()), retiring.caPems());
        assertEquals(next.signingKey().toPublicJWK(), ClusterIdentityCodec.fromFields(
                ClusterIdentityCodec.toFields(introducing)).rotation().next().signingKey().toPublicJWK());
        assertEquals(CaRotation.fingerprint(introducing.caPems()),
                CaRotation.fingerprint(List.of(next.caPem(), old.caPem())), "the fingerprint ignores order");

        Map<String, String> broken = new java.util.HashMap<>(ClusterIdentityCodec.toFields(retiring));
        broken.remove("previousCaPem");
        assertThrows(IllegalArgumentException.class, () -> ClusterIdentityCodec.fromFields(broken));
    }
}
