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
 *
 * <p>A heartbeat is answered with a heartbeat: the receiver's answer carries its own signed heartbeat, with
 * {@code InReplyTo} set to the sequence number of the one it answers. So one round trip is a heartbeat each way
 * (both sides know the other is alive, and the first one, sent at establishment, gives both sides all three
 * stream timestamps at once), and an answer that is not the peer's, or not fresh, is told apart from a live peer.
 */
@Singleton
public class PeerMessages {
    static final String EXCHANGE_TYPE = "peering-exchange+jwt";
    static final String MESSAGE_TYPE = "peering-message+jwt";
    static final String ANSWER_TYPE = "peering-exchange-answer+jwt";
    static final String PROBE_TYPE = "peering-probe+jwt";
    static final String PROBE_ANSWER_TYPE = "peering-probe-answer+jwt";
    private static final Set<String> PROBE_CLAIMS = Set.of("PeerID", "Nonce", "CA", "exp");
    private static final Set<String> PROBE_ANSWER_CLAIMS = Set.of("PeerID", "aud", "Time", "Status", "exp");
    private static final Duration LIFETIME = Duration.ofSeconds(60);
    /** The claim that carries a replication message's body. */
    private static final String BODY_CLAIM = "Replication";
    private static final Set<String> EXCHANGE_CLAIMS = Set.of("PeerID", "EstablishmentSecret", "DialerPeerID", "CA",
            "ServerName", "URLs", "Remote", "exp");
    private static final Set<String> MESSAGE_CLAIMS = Set.of("iss", "aud", "Kind", "Seq", "exp");
    private static final Set<String> ANSWER_CLAIMS = Set.of("PeerID", "aud", "exp");
    private static final String IN_REPLY_TO = "InReplyTo";
    private static final Set<String> HEARTBEAT_ANSWER_CLAIMS = Set.of("iss", "aud", "Kind", "Seq", IN_REPLY_TO, "exp");
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

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
                .claim("Seq", sequenceOf(now))
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)));
        if (body != null) {
            claims.claim(BODY_CLAIM, body);
        }
        return signatures.sign(MESSAGE_TYPE, claims.build());
    }

    /** The sequence number of a message signed at {@code now}: the signer's clock in milliseconds. */
    public static long sequenceOf(Instant now) {
        return now.toEpochMilli();
    }

    /**
     * Signs the answer to a peer's heartbeat: a heartbeat of our own that names the one it answers.
     *
     * @param fromPeeringId our peering ID
     * @param toPeeringId   the peer's peering ID
     * @param inReplyTo     the sequence number of the heartbeat answered
     * @return the signed heartbeat, to be sent as {@code {"Heartbeat": "<jws>"}}
     */
    public String signHeartbeatAnswer(String fromPeeringId, String toPeeringId, long inReplyTo, Instant now) {
        return signatures.sign(MESSAGE_TYPE, new JWTClaimsSet.Builder()
                .issuer(fromPeeringId)
                .audience(toPeeringId)
                .claim("Kind", PeerMessage.Kind.HEARTBEAT.name())
                .claim("Seq", sequenceOf(now))
                .claim(IN_REPLY_TO, inReplyTo)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .build());
    }

    /**
     * Checks the peer's answer to our heartbeat: a JSON body {@code {"Heartbeat": "<jws>"}} whose heartbeat is
     * signed by the peer's pinned CA, comes from the peer's peering to ours, and answers exactly the heartbeat we
     * sent (so a replayed older answer is refused).
     *
     * @param answerBody    the body of the peer's 200 answer
     * @param peerCaPems    the peer's CA, PEM
     * @param fromPeeringId the peer's peering ID
     * @param toPeeringId   our peering ID
     * @param inReplyTo     the sequence number of the heartbeat we sent
     * @throws PeerNotAuthenticated naming what is wrong: not JSON, no heartbeat, bad signature or chain,
     *                              expired, other peerings, or an answer to another heartbeat
     */
    public void verifyHeartbeatAnswer(String answerBody, List<String> peerCaPems, String fromPeeringId,
                                      String toPeeringId, long inReplyTo) {
        String jws;
        try {
            jws = JSON.readTree(answerBody == null ? "" : answerBody).path("Heartbeat").asText("");
        } catch (java.io.IOException e) {
            throw new PeerNotAuthenticated("the answer is not JSON");
        }
        if (jws.isEmpty()) {
            throw new PeerNotAuthenticated("the answer carries no signed heartbeat");
        }
        try {
            JWTClaimsSet claims = ClusterSignatures.verify(jws, MESSAGE_TYPE, Pem.decode(peerCaPems), HEARTBEAT_ANSWER_CLAIMS);
            if (!PeerMessage.Kind.HEARTBEAT.name().equals(claims.getStringClaim("Kind"))
                    || !fromPeeringId.equals(claims.getIssuer()) || !List.of(toPeeringId).equals(claims.getAudience())) {
                throw new PeerNotAuthenticated("the answer is not a heartbeat from this peering's peer");
            }
            Long answered = claims.getLongClaim(IN_REPLY_TO);
            if (answered == null || answered != inReplyTo) {
                throw new PeerNotAuthenticated("the answer is a heartbeat answering another one (" + answered
                        + ", not " + inReplyTo + "): a replay");
            }
        } catch (InvalidPeeringToken e) {
            throw new PeerNotAuthenticated("the answer's heartbeat was rejected: " + e.reason());
        } catch (IllegalArgumentException | ParseException e) {
            throw new PeerNotAuthenticated("the answer's heartbeat is malformed");
        }
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
            String kind = claims.getStringClaim("Kind");
            if (java.util.Arrays.stream(PeerMessage.Kind.values()).noneMatch(k -> k.name().equals(kind))) {
                throw new PeerNotAuthenticated("the peer's message has an unknown Kind");
            }
            return new PeerMessage(PeerMessage.Kind.valueOf(kind), claims.getIssuer(),
                    claims.getAudience().get(0), seq == null ? 0 : seq, claims.getJSONObjectClaim(BODY_CLAIM));
        } catch (InvalidPeeringToken e) {
            throw new PeerNotAuthenticated("the peer's message was rejected: " + e.reason());
        } catch (IllegalArgumentException | ParseException e) {
            throw new PeerNotAuthenticated("the peer's message was rejected: " + e.getMessage());
        }
    }

    /**
     * Signs a liveness probe (the pre-flight check's, or a check of an existing peering's link). It changes nothing
     * on the receiver and carries no secret: for a token it may carry a proof that the prober holds the token's
     * secret, bound to the nonce ({@link Probe#secretProof}).
     */
    public String signProbe(Probe probe, Instant now) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .claim("PeerID", probe.peerId())
                .claim("Nonce", probe.nonce())
                .claim("CA", probe.caPems())
                .audience(probe.peerId())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)));
        if (probe.secretProof() != null) {
            claims.claim("SecretProof", probe.secretProof());
        }
        if (probe.fromPeeringId() != null) {
            claims.claim("FromPeerID", probe.fromPeeringId());
        }
        return signatures.sign(PROBE_TYPE, claims.build());
    }

    /**
     * Verifies a probe against the CA it carries (anyone may probe; what the answer says depends on what the probe
     * proves).
     *
     * @throws InvalidRequest when it is malformed, unsigned, altered or expired
     */
    public Probe verifyProbe(String jws) {
        try {
            List<String> caPems = ClusterSignatures.unverifiedClaims(jws).getStringListClaim("CA");
            JWTClaimsSet claims = ClusterSignatures.verify(jws, PROBE_TYPE,
                    Pem.decode(caPems == null ? List.of() : caPems), PROBE_CLAIMS);
            return new Probe(claims.getStringClaim("PeerID"), claims.getStringClaim("Nonce"),
                    claims.getStringListClaim("CA"), claims.getStringClaim("SecretProof"),
                    claims.getStringClaim("FromPeerID"));
        } catch (ParseException | IllegalArgumentException e) {
            throw new InvalidRequest("the probe is invalid: " + e.getMessage());
        } catch (InvalidPeeringToken e) {
            throw new InvalidRequest("the probe is invalid: " + e.reason());
        }
    }

    /** Signs the answer to a probe: our clock, and what we can tell the prober about the peering it names. */
    public String signProbeAnswer(String peeringId, String nonce, String status, Instant now) {
        return signatures.sign(PROBE_ANSWER_TYPE, new JWTClaimsSet.Builder()
                .claim("PeerID", peeringId)
                .claim("Time", now.toEpochMilli())
                .claim("Status", status)
                .audience(nonce)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(LIFETIME)))
                .build());
    }

    /**
     * Checks a probe's answer: signed by a cluster whose certificate chains to {@code caPems}, about the peering
     * probed, for this probe's nonce. Its expiry is not checked here (a skewed clock is reported as such).
     *
     * @throws PeerNotAuthenticated naming what does not hold
     */
    public ProbeAnswer verifyProbeAnswer(String jws, List<String> caPems, String peeringId, String nonce) {
        try {
            JWTClaimsSet claims = ClusterSignatures.verify(jws, PROBE_ANSWER_TYPE, Pem.decode(caPems),
                    PROBE_ANSWER_CLAIMS, false);
            if (!peeringId.equals(claims.getStringClaim("PeerID")) || !claims.getAudience().equals(List.of(nonce))) {
                throw new PeerNotAuthenticated("the answer names another peering or probe");
            }
            return new ProbeAnswer(Instant.ofEpochMilli(claims.getLongClaim("Time")), claims.getStringClaim("Status"));
        } catch (InvalidPeeringToken e) {
            throw new PeerNotAuthenticated("the answer is not signed by the expected cluster: " + e.reason());
        } catch (ParseException | IllegalArgumentException | NullPointerException e) {
            throw new PeerNotAuthenticated("the answer is malformed");
        }
    }

    /**
     * A liveness probe.
     *
     * @param peerId        the receiver's peering ID (the token's PeerID, or the peering's PeerID)
     * @param nonce         random, echoed as the answer's audience
     * @param caPems        the prober's CA
     * @param secretProof   for a token: base64url HMAC-SHA256 of the nonce keyed with the stored form of the token's
     *                      secret; null otherwise
     * @param fromPeeringId for an existing peering: the prober's own peering ID; null otherwise
     */
    public record Probe(String peerId, String nonce, List<String> caPems, String secretProof, String fromPeeringId) {
    }

    /**
     * What a probed cluster answered.
     *
     * @param time   its clock when it answered
     * @param status what it says of the peering probed (see the check service)
     */
    public record ProbeAnswer(Instant time, String status) {
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
