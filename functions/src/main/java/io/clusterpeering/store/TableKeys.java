package io.clusterpeering.store;

import io.clusterpeering.domain.PeeringKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/**
 * The single table's key layout: a generic partition key {@code pk} and sort key {@code sk}, each item kind
 * under its own prefix. The store classes are the only code that knows these keys.
 * <pre>
 *   peering row        PEERING#&lt;partition&gt;             NAME#&lt;lower-case name&gt;
 *   ID pointer         PEERING_ID#&lt;peering id&gt;          ID
 *   index counter      INDEX                             peerings
 *   partitions in use  PARTITIONS                        ALL
 *   cluster identity   CLUSTER                           IDENTITY
 *   imported data      IMPORTED#&lt;partition&gt;#&lt;peer&gt;     TRUST_BUNDLE#roots (later NODE#..., SERVICE#...)
 * </pre>
 */
public final class TableKeys {
    /** The partition key attribute. */
    public static final String PK = "pk";
    /** The sort key attribute. */
    public static final String SK = "sk";
    static final String PEERING_PREFIX = "PEERING#";
    static final String NAME_PREFIX = "NAME#";

    private TableKeys() {
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of(PK, AttributeValue.fromS(pk), SK, AttributeValue.fromS(sk));
    }

    static String peeringPartition(String partition) {
        return PEERING_PREFIX + partition;
    }

    static Map<String, AttributeValue> peering(PeeringKey key) {
        return key(peeringPartition(key.partition()), NAME_PREFIX + key.name());
    }

    static Map<String, AttributeValue> peeringId(String id) {
        return key("PEERING_ID#" + id, "ID");
    }

    static Map<String, AttributeValue> indexCounter() {
        return key("INDEX", "peerings");
    }

    static Map<String, AttributeValue> partitions() {
        return key("PARTITIONS", "ALL");
    }

    static Map<String, AttributeValue> clusterIdentity() {
        return key("CLUSTER", "IDENTITY");
    }

    static String importedFrom(PeeringKey peer) {
        return "IMPORTED#" + peer.partition() + "#" + peer.name();
    }

    /**
     * Reads a peering key back from a peering row's keys, as found in a stream record.
     *
     * @return the key, or null when the keys are not a peering row's
     */
    public static PeeringKey peeringKeyOf(String pk, String sk) {
        if (pk == null || sk == null || !pk.startsWith(PEERING_PREFIX) || !sk.startsWith(NAME_PREFIX)) {
            return null;
        }
        return new PeeringKey(pk.substring(PEERING_PREFIX.length()), sk.substring(NAME_PREFIX.length()));
    }
}
