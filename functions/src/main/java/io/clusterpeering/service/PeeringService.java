package io.clusterpeering.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.AuditEvent;
import io.clusterpeering.domain.Liveness;
import io.clusterpeering.domain.OutstandingToken;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.EstablishmentSecretRejected;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringException.PeerNotAuthenticated;
import io.clusterpeering.domain.PeeringException.PeerUnreachable;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringException.PeeringNotFound;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringRules;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.peer.PeerClient;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.peer.PeerMessages.ExchangeRequest;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.ImportPurgeStore;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.PeeringStore.DialerDetails;
import io.clusterpeering.store.PeeringStore.IssuedSecret;
import io.clusterpeering.store.PeeringStore.StoredPeering;
import io.clusterpeering.token.ClusterIdentity;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.EstablishmentSecrets;
import io.clusterpeering.token.PeeringToken;
import io.clusterpeering.token.PeeringTokenCodec;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The peering lifecycle of Consul's HTTP API (generate a token, establish, read, list, delete) and the acceptor's
 * half of establishment (the secret exchange); what a peer sends afterwards is {@link PeerMessageService}'s.
 * Knows nothing of Lambda or HTTP.
 */
@Singleton
public class PeeringService {
    /** The internal route at which an acceptor exchanges an establishment secret. */
    public static final String EXCHANGE_PATH = "/v1/internal/peering/exchange";
    /** The internal route at which a cluster takes heartbeats and terminations from its peers. */
    public static final String MESSAGE_PATH = "/v1/internal/peering/message";
    private static final Logger LOG = LoggerFactory.getLogger(PeeringService.class);
    private static final Pattern HOST_PORT = Pattern.compile("^(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.-]+):(\\d{1,5})$");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final PeeringStore store;
    private final ImportedDataStore importedData;
    private final ImportPurgeStore purges;
    private final ConsulIndex index;
    private final ClusterIdentitySource identitySource;
    private final PeeringTokenCodec tokens;
    private final PeerMessages messages;
    private final PeerClient peers;
    private final HeartbeatService heartbeats;
    private final PeeringConfiguration config;
    private final AuditRecorder audit;
    private final PeeringMetrics metrics;

    public PeeringService(PeeringStore store, ImportedDataStore importedData,
                          ImportPurgeStore purges, ConsulIndex index,
                          ClusterIdentitySource identitySource, PeeringTokenCodec tokens, PeerMessages messages,
                          PeerClient peers, HeartbeatService heartbeats, PeeringConfiguration config,
                          AuditRecorder audit,
                          PeeringMetrics metrics) {
        this.audit = audit;
        this.metrics = metrics;
        this.store = store;
        this.importedData = importedData;
        this.purges = purges;
        this.index = index;
        this.identitySource = identitySource;
        this.tokens = tokens;
        this.messages = messages;
        this.peers = peers;
        this.heartbeats = heartbeats;
        this.config = config;
    }

    /**
     * Generates a peering token (Consul's {@code POST /v1/peering/token}). Creates the PENDING acceptor row, or
     * keeps an existing one's ID and replaces its establishment secret so that only this newest token works.
     *
     * @param actor   who asks ({@link AuditRecorder#actorOf}), for the audit trail
     * @return the compact JWS token
     * @throws InvalidRequest   when PeerName is missing or malformed, or Meta, Partition or an address is invalid
     * @throws PeeringConflict  when the name belongs to a dialer peering or is being deleted
     */
    public String generateToken(GenerateTokenCommand command, String actor) {
        if (command.peerName() == null || command.peerName().isEmpty()) {
            throw new InvalidRequest("PeerName is required in the payload when generating a new peering token.");
        }
        PeeringRules.requireValidPeerName(command.peerName());
        PeeringRules.requireValidPartition(command.partition());
        PeeringRules.requireValidMeta(command.meta());
        List<String> external = command.serverExternalAddresses() == null ? List.of() : command.serverExternalAddresses();
        for (String address : external) {
            if (!isHostPort(address)) {
                throw new InvalidRequest("ServerExternalAddresses: " + address + " is not a valid peering server address");
            }
        }
        PeeringKey key = new PeeringKey(command.partition(), command.peerName());
        // Everything that can fail comes before the write, so a failure never invalidates the previous token.
        ClusterIdentity identity = identitySource.identity();
        URI advertised = URI.create(config.getAdvertiseUrl());
        String secret = EstablishmentSecrets.newSecret();
        // Whole seconds: the token's iat and exp are seconds, and the store checks exp as the dialer does.
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant expiresAt = now.plus(config.getTokenLifetime());
        Peering peering = store.createPendingOrRenewSecret(key, command.meta(),
                new IssuedSecret(EstablishmentSecrets.hash(secret), now, expiresAt));
        String token = tokens.encode(new PeeringToken(identity.caPems(), external, List.of(hostPort(advertised)),
                advertised.getScheme(), identity.serverName(config.getDatacenter()), peering.id(), secret,
                new Remote(key.partition(), config.getDatacenter()), key.name(), now, expiresAt));
        audit.record(UUID.randomUUID().toString(), actor, key, peering.id(), AuditEvent.Kind.TOKEN_GENERATED,
                AuditEvent.SUCCESS, "a peering token was generated, valid until " + expiresAt
                        + "; only this newest token can establish the peering", null);
        return token;
    }

    /**
     * Lists the peering tokens of a partition that were generated here and not yet used, revoked or expired
     * ({@code GET /v1/peering/token}, ours), with the partition's peerings counter, which every token change
     * advances. Never a secret.
     *
     * @throws InvalidRequest when the partition name is invalid
     */
    public io.clusterpeering.domain.Indexed<List<OutstandingToken>> outstandingTokens(String partition) {
        PeeringRules.requireValidPartition(partition);
        return store.outstandingTokens(partition, Instant.now());
    }

    /**
     * Revokes the unused secret of a peering's newest token ({@code DELETE /v1/peering/{name}/token}, ours): a
     * dialer presenting it is then refused (403) as for a used token. An established peering stays as it is.
     *
     * @param actor who asks ({@link AuditRecorder#actorOf}), for the audit trail
     * @return the revoked token
     * @throws PeeringNotFound when there is no peering under that name (404)
     * @throws PeeringConflict when nothing is outstanding (the token was used or revoked, or the peering is a
     *                         dialer's or being deleted) (409)
     */
    public OutstandingToken revokeToken(PeeringKey key, String actor) {
        if (!PeeringRules.isValidPeerName(key.name())) {
            throw new PeeringNotFound(key.name());
        }
        OutstandingToken revoked = store.revokeEstablishmentSecret(key);
        audit.record(UUID.randomUUID().toString(), actor, key, revoked.peeringId(), AuditEvent.Kind.TOKEN_REVOKED,
                AuditEvent.SUCCESS, "the outstanding peering token" + (revoked.generatedAt() == null ? ""
                        : " generated at " + revoked.generatedAt()) + " was revoked; it can no longer establish the peering",
                null);
        return revoked;
    }

    /**
     * Establishes a peering with a token (Consul's {@code POST /v1/peering/establish}), as the dialer. Checks the
     * request, then, as one audited attempt: verifies the token before any network call, exchanges its secret with
     * the acceptor, stores the dialer row (ESTABLISHING) and sends the first heartbeat, which makes it ACTIVE. When
     * the exchange fails nothing is stored, so the same token can be retried.
     *
     * @throws InvalidRequest              when a field is missing or malformed, or the token is invalid (400)
     * @throws EstablishmentSecretRejected when the acceptor refuses the secret: reused or outdated token (403)
     * @throws PeeringConflict             when the name belongs to an acceptor peering or is being deleted (409)
     * @throws PeerUnreachable             when no acceptor address answered (502), naming each address
     */
    public void establish(EstablishCommand command, String actor) {
        PeeringKey key = command.validatedKey();
        long started = System.nanoTime();
        String attempt = UUID.randomUUID().toString();
        audit.record(attempt, actor, key, null, AuditEvent.Kind.ESTABLISH_ATTEMPTED, AuditEvent.ATTEMPTED,
                "establishing with a peering token", null);
        Peering dialer;
        try {
            dialer = dial(key, command);
        } catch (RuntimeException e) {
            String reason = refusedTokenReason(e);
            if (reason != null) {
                metrics.refusedToken(key.partition(), reason);
            }
            audit.record(attempt, actor, key, null, AuditEvent.Kind.ESTABLISH_REFUSED, AuditEvent.REFUSED,
                    e instanceof io.clusterpeering.domain.PeeringException ? e.getMessage() : "internal error", null);
            throw e;
        }
        metrics.establishDuration(key, (System.nanoTime() - started) / 1_000_000);
        audit.record(attempt, actor, key, dialer.id(), AuditEvent.Kind.ESTABLISH_SUCCEEDED, AuditEvent.SUCCESS,
                "the acceptor in datacenter " + dialer.remote().datacenter() + " (peering ID " + dialer.peerId()
                        + ") took the token", null);
    }

    /** Why a failed establishment counts as a refused token ({@code invalid}, {@code expired}, {@code rejected}), or null. */
    private static String refusedTokenReason(RuntimeException e) {
        if (e instanceof io.clusterpeering.domain.PeeringException.InvalidPeeringToken invalid) {
            return invalid.reason().contains("expired") ? "expired" : "invalid";
        }
        return e instanceof EstablishmentSecretRejected ? "rejected" : null;
    }

    /**
     * The dialer's side of establishment, in order: the token, the local name, the secret exchange with the
     * acceptor, the stored row, the first heartbeat.
     */
    private Peering dial(PeeringKey key, EstablishCommand command) {
        PeeringToken token = tokens.decode(command.peeringToken());
        ClusterIdentity identity = identitySource.identity();
        String ownServerName = identity.serverName(config.getDatacenter());
        if (ownServerName.equals(token.serverName())) {
            throw new InvalidRequest("PeeringToken: cannot create a peering within the same cluster \"" + ownServerName
                    + "\"; export services between partitions instead of peering");
        }
        String secretHash = EstablishmentSecrets.hash(token.establishmentSecret());
        Optional<StoredPeering> existing = store.findForEstablish(key);
        existing.ifPresent(stored -> requireNameFreeForDialer(key, stored, secretHash));
        String peeringId = existing.map(stored -> stored.peering().id())
                .orElseGet(() -> dialerPeeringId(identity, key, token, secretHash));
        List<String> acceptorUrls = token.addressesToDial().stream().map(a -> token.serverScheme() + "://" + a).toList();
        String acceptorUrl = exchangeSecret(identity, ownServerName, key, token, peeringId, acceptorUrls);
        Peering dialer = storeDialer(key, command, token, peeringId, acceptorUrls, existing, secretHash);
        LOG.info("established peering {} (id {}) with acceptor {}", key.name(), peeringId, acceptorUrl);
        heartbeats.sendHeartbeat(dialer);
        return dialer;
    }

    /**
     * A dialer may (re-)establish under a name only over its own row: not over an acceptor's, not while it is being
     * deleted, and not with the token that row was established with (unless the peer terminated it).
     */
    private static void requireNameFreeForDialer(PeeringKey key, StoredPeering stored, String secretHash) {
        Peering row = stored.peering();
        if (row.state() == PeeringState.DELETING) {
            throw new PeeringConflict("cannot write to peering \"" + key.name()
                    + "\": it is marked for deletion; wait until the deletion finishes");
        }
        if (row.role() == PeeringRole.ACCEPTOR) {
            throw new PeeringConflict("cannot create peering with name: \"" + key.name()
                    + "\"; there is an existing peering expecting to be dialed");
        }
        if (row.state() != PeeringState.TERMINATED && stored.establishedWith(secretHash)) {
            throw new EstablishmentSecretRejected("invalid peering establishment secret: this token was already used");
        }
    }

    /**
     * Presents the token's secret to the acceptor, signed, and checks its signed answer.
     *
     * @return the acceptor address that answered
     */
    private String exchangeSecret(ClusterIdentity identity, String ownServerName, PeeringKey key, PeeringToken token,
                                  String peeringId, List<String> acceptorUrls) {
        String request = messages.signExchange(new ExchangeRequest(token.peerId(), token.establishmentSecret(), peeringId,
                identity.caPems(), ownServerName, List.of(config.getAdvertiseUrl()),
                new Remote(key.partition(), config.getDatacenter())), Instant.now());
        PeerClient.PeerAnswer answer = peers.post(acceptorUrls, EXCHANGE_PATH, request, "exchange peering secret");
        if (answer.status() == 403) {
            throw new EstablishmentSecretRejected(stripPrefix(answer.body(), "a new peering token must be generated: "));
        }
        if (!answer.ok()) {
            throw new PeerUnreachable("failed to exchange peering secret through address \""
                    + hostPort(URI.create(answer.baseUrl())) + "\": the acceptor answered " + answer.status()
                    + " (" + io.clusterpeering.peer.PeerText.excerpt(answer.body()) + ")");
        }
        messages.verifyExchangeAnswer(signedAnswer(answer.body()), token.caPems(), token.peerId(), peeringId);
        return answer.baseUrl();
    }

    /**
     * Stores the dialer row (ESTABLISHING) and the acceptor's trust bundle. The acceptor already took the secret:
     * when this fails it is told, so it is not left ACTIVE with no dialer, and a row stored before the failure is
     * ended too, so neither side is left half established (both read TERMINATED; a new token establishes again
     * over our row).
     */
    private Peering storeDialer(PeeringKey key, EstablishCommand command, PeeringToken token, String peeringId,
                                List<String> acceptorUrls, Optional<StoredPeering> existing, String secretHash) {
        Instant exchangedAt = Instant.now();
        Peering dialer = null;
        try {
            long modifyIndex = index.next(IndexScope.peerings(key.partition()));
            dialer = store.saveEstablishedDialer(new Peering(peeringId, key.name(), key.partition(), PeeringRole.DIALER,
                    PeeringState.ESTABLISHING, null, command.meta(), token.peerId(), token.caPems(), token.serverName(),
                    token.serverAddresses(), token.manualServerAddresses(), acceptorUrls, token.remote(),
                    new Liveness(null, exchangedAt, exchangedAt, null, null, List.of(), List.of()),
                    existing.map(stored -> stored.peering().createIndex()).orElse(modifyIndex), modifyIndex), secretHash);
            importedData.putTrustBundle(key, Peering.trustDomainOf(token.serverName()), token.caPems(), exchangedAt);
            return dialer;
        } catch (RuntimeException e) {
            terminateAfterFailedSave(acceptorUrls, peeringId, token.peerId());
            if (dialer != null) {
                terminateOwnRowAfterFailedSave(dialer);
            }
            throw e;
        }
    }

    /**
     * The dialer's ID for a new peering: derived from this cluster, the local name and the token, so that a retry
     * with the same token after a lost answer presents the same ID and the acceptor can take it again, while
     * another local name (or another cluster) gets another ID and is refused.
     */
    private static String dialerPeeringId(ClusterIdentity identity, PeeringKey key, PeeringToken token, String secretHash) {
        String seed = identity.clusterId() + "|" + key.partition() + "|" + key.name() + "|" + token.peerId() + "|" + secretHash;
        return UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    }

    private void terminateOwnRowAfterFailedSave(Peering dialer) {
        try {
            store.markTerminated(dialer, Instant.now().toEpochMilli());
        } catch (RuntimeException e) {
            LOG.warn("could not end peering {} here after its establishment failed: {}", dialer.name(), e.getMessage());
        }
    }

    private void terminateAfterFailedSave(List<String> acceptorUrls, String dialerId, String acceptorId) {
        try {
            peers.post(acceptorUrls, MESSAGE_PATH,
                    messages.signMessage(PeerMessage.Kind.TERMINATE, dialerId, acceptorId, Instant.now()),
                    "send termination");
        } catch (RuntimeException e) {
            LOG.warn("could not tell the acceptor that establishment failed here: {}", e.getMessage());
        }
    }

    /**
     * The acceptor's half of establishment: consumes the establishment secret once and records the dialer.
     *
     * @param signedRequest the dialer's signed exchange request
     * @return the acceptor's peering ID and the same, signed, for the dialer to check
     * @throws InvalidRequest              when the request is malformed or its signature does not hold (400)
     * @throws EstablishmentSecretRejected when the secret is wrong, outdated or already used (403)
     */
    public ExchangeResult exchangeSecret(String signedRequest) {
        ExchangeRequest request = messages.verifyExchange(signedRequest);
        Peering acceptor;
        try {
            acceptor = store.consumeEstablishmentSecret(request.peerId(),
                    EstablishmentSecrets.hash(request.establishmentSecret()),
                    new DialerDetails(request.dialerPeeringId(), request.caPems(), request.serverName(), request.urls(),
                            request.remote()), Instant.now());
        } catch (EstablishmentSecretRejected e) {
            store.findById(request.peerId()).ifPresent(row -> audit.record(UUID.randomUUID().toString(), AuditEvent.PEER,
                    row.key(), row.id(), AuditEvent.Kind.SECRET_EXCHANGE, AuditEvent.REFUSED, "a dialer in datacenter "
                            + request.remote().datacenter() + " presented this peering's token: " + e.getMessage(), null));
            throw e;
        }
        audit.record("active|" + acceptor.id() + "|" + request.dialerPeeringId(), AuditEvent.PEER, acceptor.key(),
                acceptor.id(), AuditEvent.Kind.STATE_ACTIVE, AuditEvent.SUCCESS, "established by the dialer in datacenter "
                        + request.remote().datacenter() + " (peering ID " + request.dialerPeeringId() + ")", null);
        importedData.putTrustBundle(acceptor.key(), Peering.trustDomainOf(request.serverName()), request.caPems(), Instant.now());
        LOG.info("peering {} (id {}) was established by the dialer in datacenter {}", acceptor.name(), acceptor.id(),
                request.remote().datacenter());
        return new ExchangeResult(acceptor.id(),
                messages.signExchangeAnswer(acceptor.id(), request.dialerPeeringId(), Instant.now()));
    }

    /**
     * The acceptor's answer to a secret exchange.
     *
     * @param acceptorPeeringId the acceptor's peering ID
     * @param signedAnswer      the same, with the dialer's ID as audience, signed by the acceptor's cluster key
     */
    public record ExchangeResult(String acceptorPeeringId, String signedAnswer) {
    }

    /**
     * Reads one peering (Consul's {@code GET /v1/peering/:name}).
     *
     * @throws PeeringNotFound when there is none under that name (404)
     */
    public Peering read(PeeringKey key) {
        if (!PeeringRules.isValidPeerName(key.name())) {
            throw new PeeringNotFound(key.name());
        }
        return store.find(key).orElseThrow(() -> new PeeringNotFound(key.name()));
    }

    /**
     * Reads one peering with the index Consul's {@code GET /v1/peering/:name} answers for it, its ModifyIndex (one
     * GetItem); for {@link BlockingQuery#readItem}.
     *
     * @return the peering with its ModifyIndex, or empty when there is none under that name
     * @throws PeeringNotFound when the name cannot be a peer name (404, as Consul answers it)
     */
    public Optional<io.clusterpeering.domain.Indexed<Peering>> readWithIndex(PeeringKey key) {
        if (!PeeringRules.isValidPeerName(key.name())) {
            throw new PeeringNotFound(key.name());
        }
        return store.findWithIndex(key);
    }

    /**
     * How many items imported from the peer a DELETING or TERMINATED peering has still to purge; null for
     * other states (nothing is being purged), without any DynamoDB call. The purge records its progress on the
     * row as it goes; only in the moment between the DELETE (or the peer's termination) and the purge's first
     * count does this count the items itself.
     */
    public Integer importedItemsLeft(Peering peering) {
        if (peering.state() != PeeringState.DELETING && peering.state() != PeeringState.TERMINATED) {
            return null;
        }
        return peering.importedItemsLeft() != null ? peering.importedItemsLeft() : purges.count(peering.key());
    }

    /** Lists the peerings of a partition, ordered by name (Consul's {@code GET /v1/peerings}). */
    public List<Peering> list(String partition) {
        PeeringRules.requireValidPartition(partition);
        return store.list(partition);
    }

    /**
     * Lists the peerings of a partition, ordered by name, with the partition's peerings counter, read in the same
     * query (Consul's {@code GET /v1/peerings} and its {@code X-Consul-Index}).
     *
     * @throws InvalidRequest when the partition name is invalid
     */
    public io.clusterpeering.domain.Indexed<List<Peering>> listWithIndex(String partition) {
        PeeringRules.requireValidPartition(partition);
        return store.listWithIndex(partition);
    }

    /**
     * Requests deletion (Consul's {@code DELETE /v1/peering/:name}): marks the row DELETING and returns. The
     * stream handler tells the peer, purges imported data and removes the row. Deleting a missing or already
     * DELETING peering does nothing.
     *
     * @param actor who asks ({@link AuditRecorder#actorOf}), for the audit trail
     */
    public void delete(PeeringKey key, String actor) {
        if (!PeeringRules.isValidPeerName(key.name())) {
            return;
        }
        Optional<Peering> row = store.find(key);
        if (row.isPresent() && store.markDeleting(key, Instant.now())) {
            LOG.info("peering {} in partition {} marked for deletion", key.name(), key.partition());
            audit.record("delete|" + row.get().id() + "|" + row.get().modifyIndex(), actor, key, row.get().id(),
                    AuditEvent.Kind.DELETE_REQUESTED, AuditEvent.SUCCESS, "deletion requested in state "
                            + row.get().state() + "; the peer is told and imported data purged in the background", null);
        }
    }

    private static String signedAnswer(String body) {
        try {
            return JSON.readTree(body).path("Answer").asText("");
        } catch (IOException e) {
            throw new PeerNotAuthenticated("the acceptor's answer to the secret exchange is not JSON");
        }
    }

    private static String stripPrefix(String text, String prefix) {
        return text != null && text.startsWith(prefix) ? text.substring(prefix.length()) : String.valueOf(text);
    }

    private static boolean isHostPort(String address) {
        var matcher = HOST_PORT.matcher(address == null ? "" : address);
        if (!matcher.matches()) {
            return false;
        }
        int port = Integer.parseInt(matcher.group(2));
        return port >= 1 && port <= 65535;
    }

    private static String hostPort(URI uri) {
        int port = uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : 80);
        return uri.getHost() + ":" + port;
    }
}
