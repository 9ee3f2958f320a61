package io.clusterpeering.store;

import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.OutstandingToken;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringException.EstablishmentSecretRejected;
import io.clusterpeering.domain.PeeringException.PeeringConflict;
import io.clusterpeering.domain.PeeringException.PeeringNotFound;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.Remote;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.Delete;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.clusterpeering.store.Attributes.instant;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.names;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.PeeringItems.*;

/**
 * The lifecycle rules of a peering (Consul keeps them in {@code state/peering.go}): creation, the secret exchange,
 * activation, deletion and termination, and the reads of its rows. Each write
 * is one conditional DynamoDB operation (or one transaction) named after the rule it enforces, so a rule
 * holds even when many function instances race:
 * <ul>
 *   <li>names are unique per partition, and keep their role: {@link #createPendingOrRenewSecret},
 *       {@link #saveEstablishedDialer};</li>
 *   <li>a token's establishment secret is used once, only the newest one works, and not after its expiry:
 *       {@link #consumeEstablishmentSecret}; an unused one can be revoked: {@link #revokeEstablishmentSecret};</li>
 *   <li>a DELETING row takes no writes but its removal: {@link #markDeleting}, {@link #removeAfterPurge}.</li>
 * </ul>
 * What the link records on the same rows while connected (heartbeats, errors, the imported and exported lists) is
 * {@link StreamStatusStore}'s; the heartbeat chains' items are {@link BeatChainStore}'s.
 * Reads are strongly consistent. A failed condition becomes a domain exception at once.
 *
 * <p>Why one class of some 700 lines: it is the state machine of one item, and every transition's condition names
 * the states the others leave behind; kept together, a reader checks a rule against all the writes that could
 * break it in one file. What changes for other reasons (liveness, heartbeat chains, imported data) is elsewhere.
 */
@Singleton
public class PeeringStore {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final ConsulIndex index;

    /**
     * @param dynamoDb the client, built once at start-up
     * @param config   names the table
     * @param index    hands out Consul-style indexes
     */
    public PeeringStore(DynamoDbClient dynamoDb, DynamoDbConfiguration config, ConsulIndex index) {
        this.dynamoDb = dynamoDb;
        this.table = config.getTableName();
        this.index = index;
    }

    /** Reads one peering by partition and name (case-insensitive). */
    public Optional<Peering> find(PeeringKey key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.peering(key))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * Reads one peering (one strongly consistent GetItem) with the index Consul's {@code PeeringRead} answers for
     * it: the row's own ModifyIndex. A miss reads nothing more; the caller asks for the partition's peerings counter
     * ({@link IndexScope#peerings}) only if it needs one.
     *
     * @return the row with its ModifyIndex, or empty when there is no row
     */
    public Optional<Indexed<Peering>> findWithIndex(PeeringKey key) {
        return find(key).map(peering -> new Indexed<>(peering, peering.modifyIndex()));
    }

    /**
     * Reads one peering with its partition's peerings counter, both strongly consistent, in one BatchGetItem (one
     * round trip), for reads whose answer depends on the row's stream bookkeeping (imported services, stream
     * status), which advances that counter but not the row's ModifyIndex: the {@code ?peer=} reads and the sync
     * report answer, and their blocking queries watch, the counter.
     *
     * @return the row with the counter's value (0 when nothing was ever written), or empty when there is no row
     */
    public Optional<Indexed<Peering>> findWithPartitionIndex(PeeringKey key) {
        IndexScope scope = IndexScope.peerings(key.partition());
        Peering peering = null;
        long counter = 0;
        for (Map<String, AttributeValue> item : Batches.get(dynamoDb, table, List.of(TableKeys.peering(key), scope.key()))) {
            if (scope.sk().equals(Attributes.string(item, TableKeys.SK))) {
                counter = Attributes.number(item, scope.attribute());
            } else {
                peering = fromItem(item);
            }
        }
        return peering == null ? Optional.empty() : Optional.of(new Indexed<>(peering, counter));
    }

    /** Reads one peering by this cluster's peering ID, through the ID pointer. */
    public Optional<Peering> findById(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> pointer = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.peeringId(id))
                .consistentRead(true)).item();
        if (pointer == null || pointer.isEmpty()) {
            return Optional.empty();
        }
        return find(new PeeringKey(Attributes.string(pointer, PARTITION), Attributes.string(pointer, NAME)))
                .filter(peering -> peering.id().equals(id));
    }

    /** Reads several peerings by key (strongly consistent BatchGetItem, 100 a call); missing ones are left out. */
    public List<Peering> findAll(List<PeeringKey> keys) {
        return Batches.get(dynamoDb, table, keys.stream().distinct().map(TableKeys::peering).toList()).stream()
                .map(PeeringItems::fromItem).toList();
    }

    /**
     * Reads a peering by ID with the hashes of its establishment secret (unused, and consumed), for answering a
     * liveness probe; changes nothing. Two reads: the ID pointer and the row.
     */
    public Optional<SecretView> findWithSecretHashes(String id) {
        if (id == null || id.isBlank()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> pointer = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.peeringId(id))
                .consistentRead(true)).item();
        if (pointer == null || pointer.isEmpty()) {
            return Optional.empty();
        }
        PeeringKey key = new PeeringKey(Attributes.string(pointer, PARTITION), Attributes.string(pointer, NAME));
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.peering(key))
                .consistentRead(true)).item();
        if (item == null || item.isEmpty() || !id.equals(Attributes.string(item, ID))) {
            return Optional.empty();
        }
        return Optional.of(new SecretView(fromItem(item), Attributes.string(item, ESTABLISHMENT_SECRET_HASH),
                Attributes.string(item, CONSUMED_SECRET_HASH)));
    }

    /**
     * A peering with the stored forms of its establishment secret.
     *
     * @param peering          the row
     * @param unusedSecretHash the newest token's secret hash while unused, else null
     * @param usedSecretHash   the hash of the secret the current dialer consumed, else null
     */
    public record SecretView(Peering peering, String unusedSecretHash, String usedSecretHash) {
    }

    /** Lists the peerings of one partition, ordered by name. */
    public List<Peering> list(String partition) {
        return listWithIndex(partition).value();
    }

    /**
     * Lists the peerings of one partition, ordered by name, with the partition's peerings counter, in one
     * strongly consistent query (paged by DynamoDB, 1 MB a page): the counter item sorts before the rows in the
     * same item collection.
     *
     * @return the rows and the counter's value (0 when nothing was ever written)
     */
    public Indexed<List<Peering>> listWithIndex(String partition) {
        List<Peering> peerings = new ArrayList<>();
        long counter = queryPartition(partition, TableKeys.NAME_PREFIX, item -> peerings.add(fromItem(item)));
        return new Indexed<>(peerings, counter);
    }

    /**
     * One strongly consistent query (paged by DynamoDB) of a partition's peerings item collection, from its counter
     * (which sorts first) to the last key under {@code lastPrefix}: every item but the counter goes to {@code items}.
     *
     * @return the counter's value (0 when nothing was ever written)
     */
    private long queryPartition(String partition, String lastPrefix,
                                java.util.function.Consumer<Map<String, AttributeValue>> items) {
        IndexScope scope = IndexScope.peerings(partition);
        long[] counter = {0};
        Batches.query(dynamoDb, QueryRequest.builder().tableName(table)
                .keyConditionExpression("#pk = :pk AND #sk BETWEEN :counter AND :last")
                .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#sk", TableKeys.SK))
                .expressionAttributeValues(Map.of(":pk", s(scope.pk()), ":counter", s(scope.sk()),
                        ":last", s(lastPrefix + TableKeys.HIGHEST)))
                .build(), page -> page.forEach(item -> {
                    if (scope.sk().equals(Attributes.string(item, TableKeys.SK))) {
                        counter[0] = Attributes.number(item, ConsulIndex.VALUE);
                    } else {
                        items.accept(item);
                    }
                }));
        return counter[0];
    }

    /**
     * Rule: a name is unique per partition and a token replaces the previous one. Creates a PENDING acceptor
     * row with a fresh ID, or, when an acceptor row with that name exists, keeps its ID and stores the new
     * secret's hash in place of the old one (so only the newest token works). A TERMINATED acceptor row is
     * reset to PENDING. Existing connections are not touched. Mirrors Consul's GenerateToken.
     *
     * <p>The token replaced while still unused is remembered as superseded ({@link #outstandingTokens}) by a
     * second write after the first: should that one fail, the old token (which can no longer establish) is
     * missing from the list, nothing else.
     *
     * @param key    partition and name
     * @param meta   Meta for a new row (a renewal keeps the row's Meta, as Consul does)
     * @param secret the new establishment secret's hash and its token's times
     * @return the stored row
     * @throws PeeringConflict when the name belongs to a dialer row, or the row is being deleted
     */
    public Peering createPendingOrRenewSecret(PeeringKey key, Map<String, String> meta, IssuedSecret secret) {
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                Optional<Peering> renewed = renewEstablishmentSecret(key, secret);
                if (renewed.isPresent()) {
                    return committed(key.partition(), renewed.get());
                }
                return committed(key.partition(), createPendingAcceptor(key, meta, secret));
            } catch (RaceLost raced) {
                // Another writer changed the row between our read of it and our write: look again.
            }
        }
        throw new PeeringConflict("cannot create peering with name: \"" + key.name()
                + "\"; other requests keep changing it, try again");
    }

    /** Replaces the secret of a live acceptor row; restarts a TERMINATED one; empty when there is no row. */
    private Optional<Peering> renewEstablishmentSecret(PeeringKey key, IssuedSecret secret) {
        long modifyIndex = index.next(IndexScope.peerings(key.partition()));
        try {
            // ALL_OLD: the replaced secret's token, read in the same atomic write that replaces it.
            Map<String, AttributeValue> old = dynamoDb.updateItem(UpdateItemRequest.builder()
                    .tableName(table).key(TableKeys.peering(key))
                    .conditionExpression("attribute_exists(#pk) AND #role = :acceptor"
                            + " AND NOT (#state IN (:deleting, :terminated))")
                    .updateExpression("SET #secret = :secret, #generatedAt = :generatedAt, #expiresAt = :expiresAt,"
                            + " #modifyIndex = :index REMOVE #consumed")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#role", ROLE, "#state", STATE,
                            "#secret", ESTABLISHMENT_SECRET_HASH, "#modifyIndex", MODIFY_INDEX,
                            "#consumed", CONSUMED_SECRET_HASH, "#generatedAt", TOKEN_GENERATED_AT,
                            "#expiresAt", TOKEN_EXPIRES_AT))
                    .expressionAttributeValues(Map.of(":acceptor", s(PeeringRole.ACCEPTOR.name()),
                            ":deleting", s(PeeringState.DELETING.name()),
                            ":terminated", s(PeeringState.TERMINATED.name()),
                            ":secret", s(secret.hash()), ":index", n(modifyIndex),
                            ":generatedAt", n(secret.generatedAt().toEpochMilli()),
                            ":expiresAt", n(secret.expiresAt().toEpochMilli())))
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build()).attributes();
            Map<String, AttributeValue> renewed = new HashMap<>(old);
            renewed.remove(CONSUMED_SECRET_HASH);
            renewed.put(MODIFY_INDEX, n(modifyIndex));
            if (old.containsKey(ESTABLISHMENT_SECRET_HASH)) {
                rememberSuperseded(key, old);
            }
            return Optional.of(fromItem(renewed));
        } catch (ConditionalCheckFailedException e) {
            if (!e.hasItem() || e.item().isEmpty()) {
                return Optional.empty();
            }
            Peering existing = fromItem(e.item());
            if (existing.state() == PeeringState.DELETING) {
                throw markedForDeletion(key);
            }
            if (existing.role() == PeeringRole.DIALER) {
                throw new PeeringConflict("cannot create peering with name: \"" + key.name()
                        + "\"; there is already an established peering");
            }
            return Optional.of(restartTerminatedAcceptor(existing, secret));
        }
    }

    /**
     * Remembers the token whose unused secret a renewal replaced, until its expiry (the table's TTL removes the
     * item; {@link #outstandingTokens} leaves out expired ones before that).
     */
    private void rememberSuperseded(PeeringKey key, Map<String, AttributeValue> replacedRow) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.supersededToken(key, UUID.randomUUID().toString()));
        item.put(ID, replacedRow.get(ID));
        item.put(NAME, replacedRow.get(NAME));
        item.put(PARTITION, replacedRow.get(PARTITION));
        for (String time : List.of(TOKEN_GENERATED_AT, TOKEN_EXPIRES_AT)) {
            if (replacedRow.containsKey(time)) {
                item.put(time, replacedRow.get(time));
            }
        }
        if (replacedRow.containsKey(TOKEN_EXPIRES_AT)) {
            item.put(TableKeys.EXPIRES_AT, n(Attributes.number(replacedRow, TOKEN_EXPIRES_AT) / 1000 + 1));
        }
        dynamoDb.putItem(r -> r.tableName(table).item(item));
    }

    /**
     * A TERMINATED acceptor that gets a new token starts over as PENDING, keeping its ID: one write that
     * checks it is still TERMINATED, stores the new secret and forgets the former dialer.
     *
     * @throws RaceLost when the row changed since it was read
     */
    private Peering restartTerminatedAcceptor(Peering terminated, IssuedSecret secret) {
        long modifyIndex = index.next(IndexScope.peerings(terminated.partition()));
        try {
            Map<String, AttributeValue> updated = dynamoDb.updateItem(UpdateItemRequest.builder()
                    .tableName(table).key(TableKeys.peering(terminated.key()))
                    .conditionExpression("#id = :id AND #state = :terminated")
                    .updateExpression("SET #state = :pending, #secret = :secret, #modifyIndex = :index,"
                            + " #generatedAt = :generatedAt, #expiresAt = :expiresAt"
                            + " REMOVE #peerId, #peerCaPems, #peerServerName, #peerUrls, #lastHeartbeat, #lastReceive,"
                            + " #lastSend, #lastError, #lastErrorAt, #consumed, #lastSeq, #rtts, #failingSince, #left,"
                            + " #listIndex")
                    .expressionAttributeNames(names("#id", ID, "#state", STATE, "#modifyIndex", MODIFY_INDEX,
                            "#secret", ESTABLISHMENT_SECRET_HASH,
                            "#peerId", PEER_ID, "#peerCaPems", PEER_CA_PEMS, "#peerServerName", PEER_SERVER_NAME,
                            "#peerUrls", PEER_URLS, "#lastHeartbeat", LAST_HEARTBEAT, "#lastReceive", LAST_RECEIVE,
                            "#lastSend", LAST_SEND, "#lastError", LAST_ERROR, "#lastErrorAt", LAST_ERROR_AT,
                            "#consumed", CONSUMED_SECRET_HASH, "#lastSeq", LAST_PEER_MESSAGE_SEQ,
                            "#rtts", HEARTBEAT_RTTS, "#failingSince", FAILING_SINCE, "#left", IMPORTED_ITEMS_LEFT,
                            "#listIndex", EXPORT_LIST_INDEX, "#generatedAt", TOKEN_GENERATED_AT,
                            "#expiresAt", TOKEN_EXPIRES_AT))
                    .expressionAttributeValues(values(":id", s(terminated.id()),
                            ":terminated", s(PeeringState.TERMINATED.name()), ":pending", s(PeeringState.PENDING.name()),
                            ":secret", s(secret.hash()), ":index", n(modifyIndex),
                            ":generatedAt", n(secret.generatedAt().toEpochMilli()),
                            ":expiresAt", n(secret.expiresAt().toEpochMilli())))
                    .returnValues(ReturnValue.ALL_NEW)
                    .build()).attributes();
            return fromItem(updated);
        } catch (ConditionalCheckFailedException e) {
            throw new RaceLost();
        }
    }

    private Peering createPendingAcceptor(PeeringKey key, Map<String, String> meta, IssuedSecret secret) {
        long createIndex = index.next(IndexScope.peerings(key.partition()));
        Peering peering = new Peering(UUID.randomUUID().toString(), key.name(), key.partition(), PeeringRole.ACCEPTOR,
                PeeringState.PENDING, null, meta, null, null, null, null, null, null, Remote.UNKNOWN, null,
                createIndex, createIndex);
        Map<String, AttributeValue> item = toItem(peering);
        item.put(ESTABLISHMENT_SECRET_HASH, s(secret.hash()));
        item.put(TOKEN_GENERATED_AT, n(secret.generatedAt().toEpochMilli()));
        item.put(TOKEN_EXPIRES_AT, n(secret.expiresAt().toEpochMilli()));
        registerPartition(key.partition());
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(
                    putIfNameIsFree(item, "attribute_not_exists(#pk)", Map.of()),
                    pointerPut(peering)));
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e, 0)) {
                throw new RaceLost();
            }
            throw e;
        }
        return peering;
    }

    /**
     * Rule: a token's establishment secret is used once. Atomically checks that the acceptor row with this ID
     * still holds exactly this secret's hash, unexpired (its token's {@code exp}, so a dialer that skips the
     * token's expiry check is refused here too) and not revoked, moves the hash to "consumed", and records the
     * dialer: the row becomes ACTIVE. Of many concurrent calls with one secret, exactly one succeeds. A newer token's secret
     * replaced an older one, so older tokens fail here too. The one dialer that consumed it may present it
     * again (same secret, same dialer peering ID): an idempotent retry after a lost answer, which changes
     * nothing but the contact time.
     *
     * @param peeringId  the acceptor's peering ID (the token's PeerID)
     * @param secretHash SHA-256 of the presented secret
     * @param dialer     who established: its peering ID, CA, server name, URLs and remote
     * @param now        the time of the exchange, recorded as the peer's last contact
     * @return the updated acceptor row
     * @throws EstablishmentSecretRejected when no acceptor row with that ID holds that secret
     */
    public Peering consumeEstablishmentSecret(String peeringId, String secretHash, DialerDetails dialer, Instant now) {
        Peering acceptor = findById(peeringId).orElseThrow(() ->
                new EstablishmentSecretRejected("invalid peering establishment secret: the peering does not exist"));
        // The same rule, checked on a fresh read first, so that a refused secret takes no Consul index (anyone
        // who can sign an exchange request could otherwise advance it); the conditional write below still
        // decides between concurrent exchanges.
        Map<String, AttributeValue> current = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.peering(acceptor.key()))
                .consistentRead(true)).item();
        if (!secretMatches(current, peeringId, secretHash, dialer.peeringId(), now)) {
            throw secretRejected(current, secretHash, now);
        }
        long modifyIndex = index.next(IndexScope.peerings(acceptor.partition()));
        try {
            Map<String, AttributeValue> updated = dynamoDb.updateItem(UpdateItemRequest.builder()
                    .tableName(table).key(TableKeys.peering(acceptor.key()))
                    .conditionExpression("#id = :id AND #role = :acceptor"
                            + " AND ((#secret = :secret AND (attribute_not_exists(#expiresAt) OR #expiresAt > :nowMillis))"
                            + " OR (#consumed = :secret AND #peerId = :peerId))")
                    .updateExpression("REMOVE #secret, #generatedAt, #expiresAt, #lastError, #lastErrorAt, #lastSeq, #rtts,"
                            + " #failingSince, #listIndex"
                            + " SET #consumed = :secret, #state = :active, #peerId = :peerId, "
                            + "#peerCaPems = :peerCaPems, #peerServerName = :peerServerName, #peerUrls = :peerUrls, "
                            + "#remotePartition = :remotePartition, #remoteDatacenter = :remoteDatacenter, "
                            + "#lastReceive = :now, #modifyIndex = :index")
                    .expressionAttributeNames(names("#id", ID, "#role", ROLE, "#secret", ESTABLISHMENT_SECRET_HASH,
                            "#state", STATE, "#peerId", PEER_ID, "#peerCaPems", PEER_CA_PEMS,
                            "#peerServerName", PEER_SERVER_NAME, "#peerUrls", PEER_URLS,
                            "#remotePartition", REMOTE_PARTITION, "#remoteDatacenter", REMOTE_DATACENTER,
                            "#lastReceive", LAST_RECEIVE, "#modifyIndex", MODIFY_INDEX, "#lastError", LAST_ERROR,
                            "#lastErrorAt", LAST_ERROR_AT, "#consumed", CONSUMED_SECRET_HASH,
                            "#lastSeq", LAST_PEER_MESSAGE_SEQ, "#rtts", HEARTBEAT_RTTS, "#failingSince", FAILING_SINCE,
                            "#listIndex", EXPORT_LIST_INDEX, "#generatedAt", TOKEN_GENERATED_AT,
                            "#expiresAt", TOKEN_EXPIRES_AT))
                    .expressionAttributeValues(values(":id", s(peeringId), ":acceptor", s(PeeringRole.ACCEPTOR.name()),
                            ":nowMillis", n(now.toEpochMilli()),
                            ":secret", s(secretHash), ":active", s(PeeringState.ACTIVE.name()),
                            ":peerId", s(dialer.peeringId()), ":peerCaPems", Attributes.list(dialer.caPems()),
                            ":peerServerName", s(dialer.serverName()), ":peerUrls", Attributes.list(dialer.urls()),
                            ":remotePartition", s(dialer.remote().partition()),
                            ":remoteDatacenter", s(dialer.remote().datacenter()), ":now", instant(now),
                            ":index", n(modifyIndex)))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build()).attributes();
            return committed(acceptor.partition(), fromItem(updated));
        } catch (ConditionalCheckFailedException e) {
            throw secretRejected(e.hasItem() ? e.item() : null, secretHash, now);
        }
    }

    /** The condition of {@link #consumeEstablishmentSecret}, on a read item. */
    private static boolean secretMatches(Map<String, AttributeValue> item, String peeringId, String secretHash,
                                         String dialerPeeringId, Instant now) {
        if (item == null || item.isEmpty() || !peeringId.equals(Attributes.string(item, ID))
                || !PeeringRole.ACCEPTOR.name().equals(Attributes.string(item, ROLE))) {
            return false;
        }
        return (secretHash.equals(Attributes.string(item, ESTABLISHMENT_SECRET_HASH)) && !tokenExpired(item, now))
                || (secretHash.equals(Attributes.string(item, CONSUMED_SECRET_HASH))
                && dialerPeeringId.equals(Attributes.string(item, PEER_ID)));
    }

    private static boolean tokenExpired(Map<String, AttributeValue> item, Instant now) {
        return item.containsKey(TOKEN_EXPIRES_AT) && Attributes.number(item, TOKEN_EXPIRES_AT) <= now.toEpochMilli();
    }

    private static EstablishmentSecretRejected secretRejected(Map<String, AttributeValue> item, String secretHash,
                                                              Instant now) {
        String unused = item == null ? null : Attributes.string(item, ESTABLISHMENT_SECRET_HASH);
        String why;
        if (unused == null) {
            why = "the token was already used or revoked, or the peering is being deleted";
        } else if (unused.equals(secretHash) && tokenExpired(item, now)) {
            why = "the token expired";
        } else {
            why = "a newer token was generated for this peering";
        }
        return new EstablishmentSecretRejected("invalid peering establishment secret: " + why);
    }

    /**
     * Rule: an unused establishment secret can be revoked, and revoking touches nothing else. Removes the unused
     * secret of an acceptor row (and its token's times) in one conditional write, beside
     * {@link #consumeEstablishmentSecret}'s: of a revoke and an exchange of the same secret, exactly one
     * succeeds. The row's state, its dialer and the secret that dialer consumed stay as they are, so an
     * established peering is not touched.
     *
     * @return the revoked token
     * @throws PeeringNotFound when there is no row under that name
     * @throws PeeringConflict when the row holds no unused secret (used, revoked, a dialer row) or is being
     *                         deleted
     */
    public OutstandingToken revokeEstablishmentSecret(PeeringKey key) {
        long modifyIndex = index.next(IndexScope.peerings(key.partition()));
        try {
            Map<String, AttributeValue> old = dynamoDb.updateItem(UpdateItemRequest.builder()
                    .tableName(table).key(TableKeys.peering(key))
                    .conditionExpression("attribute_exists(#secret) AND #role = :acceptor AND #state <> :deleting")
                    .updateExpression("REMOVE #secret, #generatedAt, #expiresAt SET #modifyIndex = :index")
                    .expressionAttributeNames(Map.of("#secret", ESTABLISHMENT_SECRET_HASH, "#role", ROLE,
                            "#state", STATE, "#generatedAt", TOKEN_GENERATED_AT, "#expiresAt", TOKEN_EXPIRES_AT,
                            "#modifyIndex", MODIFY_INDEX))
                    .expressionAttributeValues(Map.of(":acceptor", s(PeeringRole.ACCEPTOR.name()),
                            ":deleting", s(PeeringState.DELETING.name()), ":index", n(modifyIndex)))
                    .returnValues(ReturnValue.ALL_OLD)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .build()).attributes();
            return committed(key.partition(), token(old, false));
        } catch (ConditionalCheckFailedException e) {
            if (!e.hasItem() || e.item().isEmpty()) {
                throw new PeeringNotFound(key.name());
            }
            Peering existing = fromItem(e.item());
            if (existing.state() == PeeringState.DELETING) {
                throw markedForDeletion(key);
            }
            throw new PeeringConflict("peering \"" + existing.name() + "\" has no outstanding token: "
                    + (existing.role() == PeeringRole.DIALER
                    ? "it was established with a token of its peer, which only the peer can revoke"
                    : "its newest token was already used or revoked; generate a new one to establish again"));
        }
    }

    /**
     * Lists the tokens of a partition that were generated and not used, revoked or expired, ordered by peer name,
     * newest first within a name, with the partition's peerings counter: one strongly consistent query over the
     * counter, the peering rows (each holds its newest token's unused secret and times) and the superseded tokens
     * beside them. A superseded token is listed while its peering (same ID) is there and not being deleted.
     */
    public Indexed<List<OutstandingToken>> outstandingTokens(String partition, Instant now) {
        Map<String, Map<String, AttributeValue>> rowsById = new HashMap<>();
        List<Map<String, AttributeValue>> superseded = new ArrayList<>();
        long counter = queryPartition(partition, TableKeys.TOKEN_PREFIX, item -> {
            String sk = Attributes.string(item, TableKeys.SK);
            if (sk.startsWith(TableKeys.TOKEN_PREFIX)) {
                superseded.add(item);
            } else if (sk.startsWith(TableKeys.NAME_PREFIX)) {
                rowsById.put(Attributes.string(item, ID), item);
            }
        });
        List<OutstandingToken> tokens = new ArrayList<>();
        rowsById.values().stream().filter(row -> row.containsKey(ESTABLISHMENT_SECRET_HASH))
                .map(row -> token(row, false)).forEach(tokens::add);
        for (Map<String, AttributeValue> item : superseded) {
            Map<String, AttributeValue> row = rowsById.get(Attributes.string(item, ID));
            if (row != null && !PeeringState.DELETING.name().equals(Attributes.string(row, STATE))) {
                tokens.add(token(item, true));
            }
        }
        return new Indexed<>(tokens.stream().filter(token -> !token.expiredAt(now))
                .sorted(java.util.Comparator.comparing((OutstandingToken token) -> token.peerName().toLowerCase(java.util.Locale.ROOT))
                        .thenComparing(OutstandingToken::generatedAt, java.util.Comparator.nullsLast(
                                java.util.Comparator.<Instant>reverseOrder())))
                .toList(), counter);
    }

    /** The token described by a peering row (its unused secret's) or a superseded-token item. */
    private static OutstandingToken token(Map<String, AttributeValue> item, boolean superseded) {
        return new OutstandingToken(Attributes.string(item, PARTITION), Attributes.string(item, NAME),
                Attributes.string(item, ID), millis(item, TOKEN_GENERATED_AT), millis(item, TOKEN_EXPIRES_AT), superseded);
    }

    private static Instant millis(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? Instant.ofEpochMilli(Attributes.number(item, name)) : null;
    }

    /**
     * Rule: a name keeps its role, and a dialer may re-establish over its own row. Stores the dialer row after
     * a successful secret exchange, in state ESTABLISHING, when the name is free or holds the dialer row with
     * the same ID that is not being deleted (a TERMINATED one included, as Consul 1.15.2+ allows).
     *
     * @param peering         the dialer row to store
     * @param tokenSecretHash SHA-256 of the establishment secret of the token used, so that presenting the same
     *                        token again is refused here as Consul refuses it
     * @return the stored row
     * @throws PeeringConflict when the name was taken meanwhile
     */
    public Peering saveEstablishedDialer(Peering peering, String tokenSecretHash) {
        Map<String, AttributeValue> item = toItem(peering);
        item.put(TOKEN_SECRET_HASH, s(tokenSecretHash));
        registerPartition(peering.partition());
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(
                    putIfNameIsFree(item,
                            "attribute_not_exists(#pk) OR (#id = :id AND #role = :dialer AND #state <> :deleting)",
                            Map.of(":id", s(peering.id()), ":dialer", s(PeeringRole.DIALER.name()),
                                    ":deleting", s(PeeringState.DELETING.name()))),
                    pointerPut(peering)));
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e, 0)) {
                throw new PeeringConflict("cannot create peering with name: \"" + peering.name()
                        + "\"; it was created by another request meanwhile");
            }
            throw e;
        }
        return committed(peering.partition(), peering);
    }

    /**
     * Reads the peering stored under a name, with the hash of the establishment secret of the token a dialer row
     * was established with, in one strongly consistent GetItem: what establishing under that name must know
     * (whether the name is free, and whether this token was already used here).
     *
     * @return the row and its token's secret hash (null for an acceptor, or a dialer stored without one), or empty
     */
    public Optional<StoredPeering> findForEstablish(PeeringKey key) {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.peering(key))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? Optional.empty()
                : Optional.of(new StoredPeering(fromItem(item), Attributes.string(item, TOKEN_SECRET_HASH)));
    }

    /**
     * A stored peering with the hash of the establishment secret a dialer row was established with.
     *
     * @param peering         the row
     * @param tokenSecretHash the token's secret hash (SHA-256, base64url), or null
     */
    public record StoredPeering(Peering peering, String tokenSecretHash) {
        /** Whether this row was established with the token whose secret hashes to {@code secretHash}. */
        public boolean establishedWith(String secretHash) {
            return secretHash.equals(tokenSecretHash);
        }
    }

    /**
     * Rule: a dialer becomes ACTIVE once the acceptor answered. Moves an ESTABLISHING row to ACTIVE.
     *
     * @return true when this call made the change
     */
    public boolean promoteToActive(Peering peering) {
        long modifyIndex = index.next(IndexScope.peerings(peering.partition()));
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(TableKeys.peering(peering.key()))
                    .conditionExpression("#id = :id AND #state = :establishing")
                    .updateExpression("SET #state = :active, #modifyIndex = :index")
                    .expressionAttributeNames(Map.of("#id", ID, "#state", STATE, "#modifyIndex", MODIFY_INDEX))
                    .expressionAttributeValues(Map.of(":id", s(peering.id()), ":index", n(modifyIndex),
                            ":establishing", s(PeeringState.ESTABLISHING.name()), ":active", s(PeeringState.ACTIVE.name())))
                    .build());
            return committed(peering.partition(), true);
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Rule: deletion is a marked state first. Marks the row DELETING with DeletedAt and drops its unused
     * establishment secret in the same write; the stream handler finishes the deletion.
     *
     * @return true when the row was marked now; false when there is no such row or it was already DELETING
     */
    public boolean markDeleting(PeeringKey key, Instant at) {
        long modifyIndex = index.next(IndexScope.peerings(key.partition()));
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(TableKeys.peering(key))
                    .conditionExpression("attribute_exists(#pk) AND #state <> :deleting")
                    .updateExpression("SET #state = :deleting, #deletedAt = :at, #modifyIndex = :index"
                            + " REMOVE #secret, #consumed, #left")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK, "#state", STATE, "#deletedAt", DELETED_AT,
                            "#modifyIndex", MODIFY_INDEX, "#secret", ESTABLISHMENT_SECRET_HASH,
                            "#consumed", CONSUMED_SECRET_HASH, "#left", IMPORTED_ITEMS_LEFT))
                    .expressionAttributeValues(Map.of(":deleting", s(PeeringState.DELETING.name()),
                            ":at", instant(at), ":index", n(modifyIndex)))
                    .build());
            return committed(key.partition(), true);
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Rule: the peer's deletion terminates our side, which stays until deleted. Marks a connected (or PENDING)
     * row TERMINATED and drops its secrets, unless a newer message from the peer was already taken (a replayed
     * termination changes nothing).
     *
     * @param messageSeq the termination's sequence number (the sender's clock, in milliseconds)
     * @return true when this call made the change
     */
    public boolean markTerminated(Peering peering, long messageSeq) {
        long modifyIndex = index.next(IndexScope.peerings(peering.partition()));
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(TableKeys.peering(peering.key()))
                    .conditionExpression("#id = :id AND #state IN (:pending, :establishing, :active)"
                            + " AND (attribute_not_exists(#lastSeq) OR #lastSeq < :seq)")
                    .updateExpression("SET #state = :terminated, #modifyIndex = :index, #lastSeq = :seq"
                            + " REMOVE #secret, #consumed")
                    .expressionAttributeNames(Map.of("#id", ID, "#state", STATE, "#modifyIndex", MODIFY_INDEX,
                            "#lastSeq", LAST_PEER_MESSAGE_SEQ, "#secret", ESTABLISHMENT_SECRET_HASH,
                            "#consumed", CONSUMED_SECRET_HASH))
                    .expressionAttributeValues(values(":id", s(peering.id()), ":index", n(modifyIndex),
                            ":seq", n(messageSeq), ":terminated", s(PeeringState.TERMINATED.name()),
                            ":pending", s(PeeringState.PENDING.name()), ":establishing", s(PeeringState.ESTABLISHING.name()),
                            ":active", s(PeeringState.ACTIVE.name())))
                    .build());
            return committed(peering.partition(), true);
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Records how many imported items a purge has left, on a row still DELETING or TERMINATED with that ID,
     * so reads show the purge's progress without counting. Does not bump the index (as liveness).
     *
     * @return true when recorded; false when the row is gone, re-created or no longer being purged
     */
    public boolean recordPurgeProgress(Peering peering, int itemsLeft) {
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(TableKeys.peering(peering.key()))
                    .conditionExpression("#id = :id AND #state IN (:deleting, :terminated)")
                    .updateExpression("SET #left = :left")
                    .expressionAttributeNames(Map.of("#id", ID, "#state", STATE, "#left", IMPORTED_ITEMS_LEFT))
                    .expressionAttributeValues(Map.of(":id", s(peering.id()), ":left", n(itemsLeft),
                            ":deleting", s(PeeringState.DELETING.name()),
                            ":terminated", s(PeeringState.TERMINATED.name())))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Touches a DELETING or TERMINATED row, so that the table's stream delivers it to the deletion handler
     * again: the heal for a deletion or purge whose stream record was lost or exhausted its retries. Does not
     * bump the index.
     *
     * @return true when the row was still DELETING or TERMINATED with that ID
     */
    public boolean nudgeDeletion(Peering peering, Instant at) {
        try {
            dynamoDb.updateItem(UpdateItemRequest.builder().tableName(table).key(TableKeys.peering(peering.key()))
                    .conditionExpression("#id = :id AND #state IN (:deleting, :terminated)")
                    .updateExpression("SET #nudgedAt = :at")
                    .expressionAttributeNames(Map.of("#id", ID, "#state", STATE, "#nudgedAt", "nudgedAt"))
                    .expressionAttributeValues(Map.of(":id", s(peering.id()), ":at", instant(at),
                            ":deleting", s(PeeringState.DELETING.name()),
                            ":terminated", s(PeeringState.TERMINATED.name())))
                    .build());
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Rule: a row is removed only after it was marked DELETING and its imported data was purged. Deletes the
     * row (still DELETING, same ID) and its ID pointer together.
     *
     * @return true when this call removed it; false when it was already gone or changed
     */
    public boolean removeAfterPurge(PeeringKey key, String id) {
        try {
            dynamoDb.transactWriteItems(r -> r.transactItems(
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table).key(TableKeys.peering(key))
                            .conditionExpression("#id = :id AND #state = :deleting")
                            .expressionAttributeNames(Map.of("#id", ID, "#state", STATE))
                            .expressionAttributeValues(Map.of(":id", s(id), ":deleting", s(PeeringState.DELETING.name())))
                            .build()).build(),
                    TransactWriteItem.builder().delete(Delete.builder().tableName(table)
                            .key(TableKeys.peeringId(id)).build()).build()));
        } catch (TransactionCanceledException e) {
            if (conditionFailed(e, 0)) {
                return false;
            }
            throw e;
        }
        return committed(key.partition(), true);
    }

    /**
     * Marks a completed write: advances the index once more, after the data is in place
     * ({@link ConsulIndex#nextAfterWrite}, which logs rather than throws: the write has happened).
     */
    private <T> T committed(String partition, T result) {
        index.nextAfterWrite(IndexScope.peerings(partition));
        return result;
    }

    private TransactWriteItem putIfNameIsFree(Map<String, AttributeValue> item, String condition,
                                              Map<String, AttributeValue> values) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", TableKeys.PK));
        if (condition.contains("#id")) {
            names.putAll(Map.of("#id", ID, "#role", ROLE, "#state", STATE));
        }
        Put.Builder put = Put.builder().tableName(table).item(item).conditionExpression(condition)
                .expressionAttributeNames(names)
                .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD);
        if (!values.isEmpty()) {
            put.expressionAttributeValues(values);
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    /** The partitions that hold peerings, so the heartbeat can visit them all without a scan. */
    public List<String> partitions() {
        Map<String, AttributeValue> item = dynamoDb.getItem(r -> r.tableName(table).key(TableKeys.partitions())
                .consistentRead(true)).item();
        return item == null || !item.containsKey("names") ? List.of() : item.get("names").ss().stream().sorted().toList();
    }

    /** Adds the partition to the set of partitions in use: an idempotent ADD, outside any transaction. */
    void registerPartition(String partition) {
        dynamoDb.updateItem(r -> r.tableName(table).key(TableKeys.partitions())
                .updateExpression("ADD #names :partition")
                .expressionAttributeNames(Map.of("#names", "names"))
                .expressionAttributeValues(Map.of(":partition", AttributeValue.fromSs(List.of(partition)))));
    }

    private TransactWriteItem pointerPut(Peering peering) {
        return TransactWriteItem.builder().put(Put.builder().tableName(table).item(pointer(peering)).build()).build();
    }

    /** The ID pointer item of a peering: its ID to its partition and name. */
    static Map<String, AttributeValue> pointer(Peering peering) {
        Map<String, AttributeValue> pointer = new HashMap<>(TableKeys.peeringId(peering.id()));
        pointer.put(PARTITION, s(peering.partition()));
        pointer.put(NAME, s(peering.name()));
        return pointer;
    }

    /**
     * Whether a transaction lost to a rule or a concurrent writer at the given item: its condition failed, or
     * another transaction held the item at the same moment.
     */
    private static boolean conditionFailed(TransactionCanceledException e, int position) {
        List<CancellationReason> reasons = e.cancellationReasons();
        if (reasons.size() <= position) {
            return false;
        }
        String code = reasons.get(position).code();
        return "ConditionalCheckFailed".equals(code) || "TransactionConflict".equals(code);
    }

    private static PeeringConflict markedForDeletion(PeeringKey key) {
        return new PeeringConflict("cannot write to peering \"" + key.name()
                + "\": it is marked for deletion; wait until the deletion finishes");
    }

    private static Map<String, AttributeValue> values(Object... pairs) {
        Map<String, AttributeValue> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], (AttributeValue) pairs[i + 1]);
        }
        return map;
    }

    /** Raised inside the store when a write lost a race for a row, to be retried from a fresh read. */
    private static final class RaceLost extends RuntimeException {
        RaceLost() {
            super(null, null, false, false);
        }
    }

    /**
     * What the acceptor learns about the dialer in the secret exchange.
     *
     * @param peeringId  the dialer's own ID for the peering (becomes the acceptor row's PeerID)
     * @param caPems     the dialer cluster's CA, pinned to verify its later messages
     * @param serverName the dialer's server name
     * @param urls       the base URLs at which the dialer takes heartbeats and terminations
     * @param remote     the dialer's partition and datacenter
     */
    public record DialerDetails(String peeringId, List<String> caPems, String serverName, List<String> urls,
                                Remote remote) {
    }

    /**
     * A new establishment secret as stored: never the secret itself.
     *
     * @param hash        SHA-256 of the secret
     * @param generatedAt when its token was generated
     * @param expiresAt   its token's {@code exp}, after which the secret is refused
     */
    public record IssuedSecret(String hash, Instant generatedAt, Instant expiresAt) {
    }
}
