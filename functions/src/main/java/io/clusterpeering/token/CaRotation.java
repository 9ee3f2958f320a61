package io.clusterpeering.token;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * Where a cluster stands in rotating its CA and signing key, without re-peering: the state kept with the identity.
 * <ol>
 *   <li>{@link Phase#INTRODUCING}: a new CA and signing key exist ({@code next}) but nothing signs with them yet;
 *       the cluster presents both roots to its peers (every resync's service list carries them, and a peer pins
 *       what its list carries), so peers come to trust both;</li>
 *   <li>{@link Phase#RETIRING}: once every connected peer took the list with both roots, the new key signs tokens
 *       and messages and the new CA issues leaves; the old root is still presented and trusted
 *       ({@code previousCa}) while instances that read the identity before the switch may still sign with the old
 *       key;</li>
 *   <li>{@link Phase#NONE}: the old root is dropped; the next resyncs make every peer drop it too.</li>
 * </ol>
 *
 * @param phase      where the rotation is
 * @param revision   how many times the identity was rewritten (0 as first created): the stored identity is replaced
 *                   only over the revision it was read at, so two rotations never both win
 * @param since      when the phase began; null in phase NONE before any rotation
 * @param next       in INTRODUCING, the identity that will sign (same cluster ID); else null
 * @param previousCa in RETIRING, the old CA still presented; else null
 */
public record CaRotation(Phase phase, long revision, Instant since, ClusterIdentity next, X509Certificate previousCa) {

    /** No rotation, never rewritten: a new cluster's identity. */
    public static final CaRotation NONE = new CaRotation(Phase.NONE, 0, null, null, null);

    /** A rotation's phases. */
    public enum Phase { NONE, INTRODUCING, RETIRING }

    /**
     * A short fingerprint of a set of roots (PEM): the first 16 hex digits of the SHA-256 of the PEMs sorted and
     * joined, the same for the same set in any order. What a peer's acknowledgement of our roots is compared by.
     */
    public static String fingerprint(List<String> pems) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest(String.join("\n", pems.stream().map(String::strip).sorted().toList())
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The roots presented besides the active CA: the next one while introducing, the old one while retiring. */
    public List<X509Certificate> otherRoots() {
        return switch (phase) {
            case INTRODUCING -> List.of(next.caCertificate());
            case RETIRING -> List.of(previousCa);
            case NONE -> List.of();
        };
    }
}
