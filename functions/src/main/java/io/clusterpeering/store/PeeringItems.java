package io.clusterpeering.store;

import io.clusterpeering.domain.LinkLatency;
import io.clusterpeering.domain.Liveness;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringRole;
import io.clusterpeering.domain.PeeringState;
import io.clusterpeering.domain.Remote;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.Map;

import static io.clusterpeering.store.Attributes.instant;
import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.map;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.putIfPresent;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.string;
import static io.clusterpeering.store.Attributes.strings;

/** The attribute names of a peering row and its conversion to and from a {@link Peering}. */
final class PeeringItems {
    static final String ID = "id";
    static final String NAME = "name";
    static final String PARTITION = "partition";
    static final String ROLE = "role";
    static final String STATE = "state";
    static final String DELETED_AT = "deletedAt";
    static final String META = "meta";
    static final String PEER_ID = "peerId";
    static final String PEER_CA_PEMS = "peerCaPems";
    static final String PEER_SERVER_NAME = "peerServerName";
    static final String PEER_SERVER_ADDRESSES = "peerServerAddresses";
    static final String MANUAL_SERVER_ADDRESSES = "manualServerAddresses";
    static final String PEER_URLS = "peerUrls";
    static final String REMOTE_PARTITION = "remotePartition";
    static final String REMOTE_DATACENTER = "remoteDatacenter";
    static final String LAST_HEARTBEAT = "lastHeartbeat";
    static final String LAST_RECEIVE = "lastReceive";
    static final String LAST_SEND = "lastSend";
    static final String LAST_ERROR = "lastError";
    static final String LAST_ERROR_AT = "lastErrorAt";
    static final String IMPORTED_SERVICES = "importedServices";
    static final String EXPORTED_SERVICES = "exportedServices";
    /** The fingerprint of the CA roots the peer last took in our service list, and when (a CA rotation waits on it). */
    static final String ROOTS_ACKED = "rootsAcked";
    static final String ROOTS_ACKED_AT = "rootsAckedAt";
    static final String CREATE_INDEX = "createIndex";
    static final String MODIFY_INDEX = "modifyIndex";
    /** SHA-256 of the unused establishment secret; absent once used, replaced by a newer token, or deleted. */
    static final String ESTABLISHMENT_SECRET_HASH = "establishmentSecretHash";
    /** Acceptor: when the token of the unused secret was generated (epoch ms); meaningful only beside that secret. */
    static final String TOKEN_GENERATED_AT = "tokenGeneratedAt";
    /** Acceptor: the {@code exp} of the token of the unused secret (epoch ms); past it the secret is refused. */
    static final String TOKEN_EXPIRES_AT = "tokenExpiresAt";
    /** Acceptor: SHA-256 of the secret the current dialer consumed, so that dialer may retry the exchange. */
    static final String CONSUMED_SECRET_HASH = "consumedSecretHash";
    /** Dialer: SHA-256 of the secret of the token it established with, so the same token is refused again. */
    static final String TOKEN_SECRET_HASH = "tokenSecretHash";
    /** The sequence number of the newest message taken from the peer; older (replayed) ones change nothing. */
    static final String LAST_PEER_MESSAGE_SEQ = "lastPeerMessageSeq";
    /** When the newest exported-services list taken from the peer was viewed there (epoch ms); older ones change nothing. */
    static final String EXPORT_LIST_INDEX = "exportListViewedAt";
    /** The round-trip times of the latest heartbeats sent, in milliseconds, oldest first ({@link LinkLatency}). */
    static final String HEARTBEAT_RTTS = "heartbeatRtts";
    /** Set while the audit trail holds a FAILING event not yet followed by its recovery. */
    static final String FAILING_SINCE = "failingSince";
    /** While imports are purged: how many items the purge last counted as left (written as it goes). */
    static final String IMPORTED_ITEMS_LEFT = "importedItemsLeft";
    /** Beat items: the live heartbeat chain's ID, the step it is at, and when its next beat is due. */
    static final String BEAT_CHAIN = "chain";
    static final String BEAT_STEP = "step";
    static final String BEAT_DUE = "dueAt";

    private PeeringItems() {
    }

    /** The full item for a peering, keys included; the secret hash is added by the caller when there is one. */
    static Map<String, AttributeValue> toItem(Peering peering) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.peering(peering.key()));
        item.put(ID, s(peering.id()));
        item.put(NAME, s(peering.name()));
        item.put(PARTITION, s(peering.partition()));
        item.put(ROLE, s(peering.role().name()));
        item.put(STATE, s(peering.state().name()));
        putIfPresent(item, DELETED_AT, peering.deletedAt());
        item.put(META, map(peering.meta()));
        putIfPresent(item, PEER_ID, peering.peerId());
        item.put(PEER_CA_PEMS, list(peering.peerCaPems()));
        putIfPresent(item, PEER_SERVER_NAME, peering.peerServerName());
        item.put(PEER_SERVER_ADDRESSES, list(peering.peerServerAddresses()));
        item.put(MANUAL_SERVER_ADDRESSES, list(peering.manualServerAddresses()));
        item.put(PEER_URLS, list(peering.peerUrls()));
        item.put(REMOTE_PARTITION, s(peering.remote().partition()));
        item.put(REMOTE_DATACENTER, s(peering.remote().datacenter()));
        Liveness liveness = peering.liveness();
        putIfPresent(item, LAST_HEARTBEAT, liveness.lastHeartbeat());
        putIfPresent(item, LAST_RECEIVE, liveness.lastReceive());
        putIfPresent(item, LAST_SEND, liveness.lastSend());
        putIfPresent(item, LAST_ERROR, liveness.lastError());
        putIfPresent(item, LAST_ERROR_AT, liveness.lastErrorAt());
        item.put(IMPORTED_SERVICES, list(liveness.importedServices()));
        item.put(EXPORTED_SERVICES, list(liveness.exportedServices()));
        if (!liveness.latency().isEmpty()) {
            item.put(HEARTBEAT_RTTS, numberList(liveness.latency().samples()));
        }
        putIfPresent(item, FAILING_SINCE, liveness.failingSince());
        item.put(CREATE_INDEX, n(peering.createIndex()));
        item.put(MODIFY_INDEX, n(peering.modifyIndex()));
        return item;
    }

    static Peering fromItem(Map<String, AttributeValue> item) {
        return new Peering(
                string(item, ID), string(item, NAME), string(item, PARTITION),
                PeeringRole.valueOf(string(item, ROLE)), PeeringState.valueOf(string(item, STATE)),
                instant(item, DELETED_AT), Attributes.stringMap(item, META), string(item, PEER_ID),
                strings(item, PEER_CA_PEMS), string(item, PEER_SERVER_NAME), strings(item, PEER_SERVER_ADDRESSES),
                strings(item, MANUAL_SERVER_ADDRESSES), strings(item, PEER_URLS),
                new Remote(nullToEmpty(string(item, REMOTE_PARTITION)), nullToEmpty(string(item, REMOTE_DATACENTER))),
                new Liveness(instant(item, LAST_HEARTBEAT), instant(item, LAST_RECEIVE), instant(item, LAST_SEND),
                        string(item, LAST_ERROR), instant(item, LAST_ERROR_AT),
                        strings(item, IMPORTED_SERVICES).stream().sorted().toList(),
                        strings(item, EXPORTED_SERVICES), new LinkLatency(numbers(item, HEARTBEAT_RTTS)),
                        instant(item, FAILING_SINCE)),
                Attributes.number(item, CREATE_INDEX), Attributes.number(item, MODIFY_INDEX),
                item.containsKey(IMPORTED_ITEMS_LEFT) ? (int) Attributes.number(item, IMPORTED_ITEMS_LEFT) : null);
    }

    /** A list of numbers as a DynamoDB list of N values. */
    static AttributeValue numberList(java.util.List<Long> values) {
        return AttributeValue.fromL(values.stream().map(v -> AttributeValue.fromN(Long.toString(v))).toList());
    }

    private static java.util.List<Long> numbers(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || !value.hasL()) {
            return java.util.List.of();
        }
        return value.l().stream().filter(v -> v.n() != null).map(v -> Long.parseLong(v.n())).toList();
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
