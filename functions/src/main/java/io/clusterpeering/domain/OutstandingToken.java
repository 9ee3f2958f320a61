package io.clusterpeering.domain;

import java.time.Instant;

/**
 * A peering token this cluster generated and nobody has used yet: what an operator may know about it, never its
 * secret. Only the newest token of a peering can establish it; an older one is {@code superseded} (a later
 * token for the same name replaced its secret, as Consul's GenerateToken does).
 *
 * @param partition   the peering's partition
 * @param peerName    the peering's name
 * @param peeringId   the acceptor's peering ID (the token's PeerID)
 * @param generatedAt when the token was generated; null for a token generated before this was recorded
 * @param expiresAt   the token's {@code exp}; null as for generatedAt
 * @param superseded  true when a later token replaced this one's secret, so it can no longer establish
 */
public record OutstandingToken(String partition, String peerName, String peeringId, Instant generatedAt,
                               Instant expiresAt, boolean superseded) {
    /** Whether the token's expiry has passed at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }
}
