package io.clusterpeering.peer;

import com.nimbusds.jwt.JWTClaimsSet;
import io.clusterpeering.domain.PeeringException.InvalidPeeringToken;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeerNotAuthenticated;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.token.ClusterSignatures;
import io.clusterpeering.token.Pem;
import jakarta.inject.Singleton;

import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The signed bodies of the calls between two clusters. Each is a compact JWS signed with the sender's cluster
 * key; a receiver accepts it only when the signer's certificate chains to the CA it pinned for that peer:
 * <ul>
 *   <li>the <b>secret exchange</b> (dialer to acceptor) carries the establishment secret and the dialer's own
 *       CA, peering ID, URLs and remote. It is checked against the CA it carries; the secret is what proves it;</li>
 *   <li>a <b>message</b> (heartbeat or termination, either way) names sender and receiver peering IDs and is
 *       checked against the CA pinned at establishment.</li>
 * </ul>
 * Because each message is signed, no stream secret needs to be kept in clear on either side: the
 * establishment secret is the only shared secret, stored as a hash and used once. Messages expire after
 * 60 seconds and carry a sequence number, so a replay within that minute changes nothing. The acceptor's
 * answer to the exchange is signed too and checked against the token's CA.
 */
@Singleton
public class PeerMessages {
    static final String EXCHANGE_TYPE = "peering-exchange+jwt";
    static final String MESSAGE_TYPE = "peering-message+jwt";
    static final String ANSWER_TYPE = "peering-exchange-answer+jwt";
    private static final Duration LIFETIME = Duration.ofSeconds(60);
    /** The claim that carries a replication message's body. */
    private static final String BODY_CLAIM = "Replication";
    private static final Set<String> EXCHANGE_CLAIMS = Set.of("PeerID", "EstablishmentSecret", "DialerPeerID", "CA",
            "ServerName", "URLs", "Remote", "exp");
    private static final Set<String> MESSAGE_CLAIMS = Set.of("iss", "aud", "Kind", "Seq", "exp");
    private static final Set<String> ANSWER_CLAIMS = Set.of("PeerID", "aud", "exp");

    private final ClusterSignatures signatures;

    public PeerMessages(ClusterSignatures signatures) {
        this.signatures = signatures;
    }

    /** Signs a secret exchange request. */
    public String signExchange(ExchangeRequest request, Instant now) {
        Map<String, Object> remote = new LinkedHashMap<>();
        remote.put("Partition", request.remote().partition());
        remote.put("Datacenter", request.remote().datacenter());
        return signatures.sign(EXCHANGE_TYPE, new JWTClaimsSet.Builder()
                .claim("PeerID", request.peerId())
                .claim("EstablishmentSecret", request.establishmentSecret())
                .claim("DialerPeerID", request.dialerPeeringId())
                .claim("CA", request.caPems())
                .claim("ServerName", request.serverName())
                .claim("URLs", request.urls())
                .claim("Remote", remote)
                .audience(request.peerId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .build());
    }

    /**
     * Verifies a secret exchange request against the CA it carries.
     *
     * @throws InvalidRequest when it is malformed, unsigned, altered or expired
     */
    public ExchangeRequest verifyExchange(String jws) {
        try {
            JWTClaimsSet untrusted = ClusterSignatures.unverifiedClaims(jws);
            List<String> caPems = untrusted.getStringListClaim("CA");
            List<X509Certificate> cas = Pem.decode(caPems == null ? List.of() : caPems);
            JWTClaimsSet claims = ClusterSignatures.verify(jws, EXCHANGE_TYPE, cas, EXCHANGE_CLAIMS);
            Map<String, Object> remote = claims.getJSONObjectClaim("Remote");
            return new ExchangeRequest(claims.getStringClaim("PeerID"), claims.getStringClaim("EstablishmentSecret"),
                    claims.getStringClaim("DialerPeerID"), claims.getStringListClaim("CA"),
                    claims.getStringClaim("ServerName"), claims.getStringListClaim("URLs"),
                    new Remote(String.valueOf(remote.getOrDefault("Partition", "")),
                            String.valueOf(remote.getOrDefault("Datacenter", ""))));
        } catch (ParseException | IllegalArgumentException e) {
            throw new InvalidRequest("the secret exchange request is invalid: " + e.getMessage());
        } catch (InvalidPeeringToken e) {
            throw new InvalidRequest("the secret exchange request is invalid: " + e.reason());
        }
    }

    /**
     * Signs the acceptor's answer to a secret exchange, so the dialer knows the acceptor itself (the holder of
     * the token's CA) consumed the secret, not whatever answered at the address.
     *
     * @param acceptorPeeringId the acceptor's peering ID
     * @param dialerPeeringId   the dialer's peering ID, the answer's audience
     */
    public String signExchangeAnswer(String acceptorPeeringId, String dialerPeeringId, Instant now) {
        return signatures.sign(ANSWER_TYPE, new JWTClaimsSet.Builder()
                .claim("PeerID", acceptorPeeringId)
                .audience(dialerPeeringId)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .build());
    }

    /**
     * Checks the acceptor's signed answer against the token's CA, peering ID and the dialer's own ID.
     *
     * @throws PeerNotAuthenticated when it was not signed by the token's cluster, or names other peerings
     */
    public void verifyExchangeAnswer(String jws, List<String> tokenCaPems, String acceptorPeeringId,
                                     String dialerPeeringId) {
        try {
            JWTClaimsSet claims = ClusterSignatures.verify(jws, ANSWER_TYPE, Pem.decode(tokenCaPems), ANSWER_CLAIMS);
            if (!acceptorPeeringId.equals(claims.getStringClaim("PeerID")) || !claims.getAudience().equals(List.of(dialerPeeringId))) {
                throw new PeerNotAuthenticated("the acceptor's answer names other peerings");
            }
        } catch (InvalidPeeringToken e) {
            throw new PeerNotAuthenticated("the acceptor's answer is not signed by the token's cluster: " + e.reason());
        } catch (ParseException | IllegalArgumentException e) {
            throw new PeerNotAuthenticated("the acceptor's answer is malformed");
        }
    }

    /**
     * Signs a message to a peer.
     *
     * @param kind            what it is, for example {@link PeerMessage.Kind#HEARTBEAT}
     * @param fromPeeringId   the sender's peering ID
     * @param toPeeringId     the receiver's peering ID (the sender's PeerID)
     */
    public String signMessage(PeerMessage.Kind kind, String fromPeeringId, String toPeeringId, Instant now) {
        return signMessage(kind, fromPeeringId, toPeeringId, now, null);
    }

    /**
     * Signs a message that carries a replication body.
     *
     * @param body one of the {@link ReplicationMessages} bodies as a claim value, or null for other kinds
     */
    public String signMessage(PeerMessage.Kind kind, String fromPeeringId, String toPeeringId, Instant now,
                              Map<String, Object> body) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(fromPeeringId)
                .audience(toPeeringId)
                .claim("Kind", kind.name())
                .claim("Seq", now.toEpochMilli())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)));
        if (body != null) {
            claims.claim(BODY_CLAIM, body);
        }
        return signatures.sign(MESSAGE_TYPE, claims.build());
    }

    /**
     * The receiver's peering ID named by a message, read before verification to find the pinned CA.
     *
     * @throws PeerNotAuthenticated when it is not a readable message
     */
    public static String addressedTo(String jws) {
        try {
            List<String> audience = ClusterSignatures.unverifiedClaims(jws).getAudience();
            if (audience.size() != 1) {
                throw new PeerNotAuthenticated("the message names no receiving peering");
            }
            return audience.get(0);
        } catch (InvalidPeeringToken e) {
            throw new PeerNotAuthenticated("the message is not a signed peering message");
        }
    }

    /**
     * Verifies a message against the CA pinned for the peer.
     *
     * @param jws         the message
     * @param peerCaPems  the peer's CA, PEM
     * @return the verified message
     * @throws PeerNotAuthenticated when the signature, chain, expiry or a claim does not hold
     */
    public PeerMessage verifyMessage(String jws, List<String> peerCaPems) {
        try {
            JWTClaimsSet claims = ClusterSignatures.verify(jws, MESSAGE_TYPE, Pem.decode(peerCaPems), MESSAGE_CLAIMS);
            Long seq = claims.getLongClaim("Seq");
            return new PeerMessage(PeerMessage.Kind.valueOf(claims.getStringClaim("Kind")), claims.getIssuer(),
                    claims.getAudience().get(0), seq == null ? 0 : seq, claims.getJSONObjectClaim(BODY_CLAIM));
        } catch (InvalidPeeringToken e) {
            throw new PeerNotAuthenticated("the peer's message was rejected: " + e.reason());
        } catch (IllegalArgumentException | ParseException e) {
            throw new PeerNotAuthenticated("the peer's message was rejected: " + e.getMessage());
        }
    }

    /**
     * The content of a secret exchange request.
     *
     * @param peerId              the acceptor's peering ID, from the token
     * @param establishmentSecret the token's secret
     * @param dialerPeeringId     the dialer's own peering ID
     * @param caPems              the dialer's CA
     * @param serverName          the dialer's server name
     * @param urls                where the dialer takes messages
     * @param remote              the dialer's partition and datacenter
     */
    public record ExchangeRequest(String peerId, String establishmentSecret, String dialerPeeringId,
                                  List<String> caPems, String serverName, List<String> urls, Remote remote) {
    }
}
