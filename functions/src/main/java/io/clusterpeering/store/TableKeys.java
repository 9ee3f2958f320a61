package io.clusterpeering.store;

import io.clusterpeering.domain.PeeringKey;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/**
 * The single table's key layout: a generic partition key {@code pk} and sort key {@code sk}, each item kind
 * under its own prefix. The store classes are the only code that knows these keys.
 * <pre>
 *   peering row        PEERING#&lt;partition&gt;             NAME#&lt;lower-case name&gt;
 *   peerings counter   PEERING#&lt;partition&gt;             INDEX
 *   superseded token   PEERING#&lt;partition&gt;             TOKEN#&lt;lower-case name&gt;#&lt;random id&gt;   (TTL)
 *   ID pointer         PEERING_ID#&lt;peering id&gt;          ID
 *   heartbeat chain    HEARTBEAT#&lt;partition&gt;           NAME#&lt;lower-case name&gt;
 *   global counter     INDEX                             peerings       (ACLs, config entries)
 *   partitions in use  PARTITIONS                        ALL
 *   cluster identity   CLUSTER                           IDENTITY
 *   local catalog      CATALOG#&lt;partition&gt;             NODE#..., HEAD#..., SERVICE#...  (see CatalogItems)
 *   imported data      IMPORTED#&lt;partition&gt;#&lt;peer&gt;     TRUST_BUNDLE#roots, HEAD#..., SERVICE#...
 *   refused sends      SYNC#&lt;partition&gt;#&lt;peer&gt;         REFUSED#&lt;service, empty for the list&gt;   (TTL)
 *   config entries     CONFIG#&lt;partition&gt;              &lt;kind&gt;#&lt;name&gt;
 *   ACL token          ACL#TOKEN                         &lt;AccessorID&gt;
 *   ACL policy         ACL#POLICY                        &lt;policy ID&gt;
 *   policy name        ACL#POLICY_NAME                   &lt;lower-case name&gt;
 *   token check        ACL_AUTH#&lt;SHA-256 of SecretID&gt;  TOKEN
 *   ACL bootstrap      ACL_AUTH#BOOTSTRAP                ONCE
 *   audit event        AUDIT#&lt;partition&gt;#&lt;peer&gt;        T#&lt;epoch µs, 16 digits&gt;#&lt;event id&gt;   (TTL)
 *   audit once-marker  AUDIT#&lt;partition&gt;#&lt;peer&gt;        E#&lt;event id&gt;                          (TTL)
 * </pre>
 * Audit items of cluster-wide events (ACL changes) have an empty peer name. An event ID is derived from what
 * makes the event unique, so a retried or redelivered event finds its marker and is not written twice.
 * Items under {@code ACL#} are read and written only by the ACL functions (the deployment denies every other
 * function access to them); the {@code ACL_AUTH#} items, which hold no secret, are what every function reads to
 * check a request's token (and whether ACLs were bootstrapped, for the text of a refusal), and only the ACL
 * functions write them. {@link #EXPIRES_AT} is the table's TTL attribute.
 */
public final class TableKeys {
    /** The partition key attribute. */
    public static final String PK = "pk";
    /** The sort key attribute. */
    public static final String SK = "sk";
    static final String PEERING_PREFIX = "PEERING#";
    static final String NAME_PREFIX = "NAME#";
    /** Sort-key prefix of the superseded tokens beside a partition's peering rows (after {@code NAME#}). */
    static final String TOKEN_PREFIX = "TOKEN#";
    /** Prefix of the ACL items that only the ACL functions may touch. */
    public static final String ACL_PREFIX = "ACL#";
    /** Prefix of the token-check items: every HTTP function may read them, only the ACL functions write them. */
    public static final String ACL_AUTH_PREFIX = "ACL_AUTH#";
    /** Partition-key prefix of the local catalog ({@code CATALOG#<partition>}): nodes, instances, service heads. */
    public static final String CATALOG_PREFIX = "CATALOG#";
    /** Partition-key prefix of the config entries ({@code CONFIG#<partition>}). */
    public static final String CONFIG_PREFIX = "CONFIG#";
    /** Partition-key prefix of everything imported from a peer ({@code IMPORTED#<partition>#<peer>}). */
    public static final String IMPORTED_PREFIX = "IMPORTED#";
    /** Partition-key prefix of what a peer refused of our replication ({@code SYNC#<partition>#<peer>}). */
    public static final String SYNC_PREFIX = "SYNC#";
    /** The table's TTL attribute: epoch seconds after which DynamoDB may remove the item (expired tokens). */
    public static final String EXPIRES_AT = "expiresAt";
    static final String ACL_TOKENS = ACL_PREFIX + "TOKEN";
    static final String ACL_POLICIES = ACL_PREFIX + "POLICY";
    /** The highest code point: a sort-key bound above every key with the same prefix (DynamoDB orders UTF-8 bytes). */
    static final String HIGHEST = new String(Character.toChars(Character.MAX_CODE_POINT));

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

    /** A superseded token of a peering: the item that remembers it until it expires. */
    static Map<String, AttributeValue> supersededToken(PeeringKey key, String tokenId) {
        return key(peeringPartition(key.partition()), TOKEN_PREFIX + key.name() + "#" + tokenId);
    }

    static Map<String, AttributeValue> beat(PeeringKey key) {
        return key("HEARTBEAT#" + key.partition(), NAME_PREFIX + key.name());
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

    static Map<String, AttributeValue> aclToken(String accessorId) {
        return key(ACL_TOKENS, accessorId);
    }

    static Map<String, AttributeValue> aclPolicy(String policyId) {
        return key(ACL_POLICIES, policyId);
    }

    static Map<String, AttributeValue> aclPolicyName(String name) {
        return key(ACL_PREFIX + "POLICY_NAME", name.toLowerCase(java.util.Locale.ROOT));
    }

    static Map<String, AttributeValue> aclBootstrap() {
        return key(ACL_AUTH_PREFIX + "BOOTSTRAP", "ONCE");
    }

    static Map<String, AttributeValue> aclAuthorization(String secretHash) {
        return key(ACL_AUTH_PREFIX + secretHash, "TOKEN");
    }

    /** The partition key of a peering's audit trail; an empty name for cluster-wide events. */
    static String auditTrail(String partition, String peerName) {
        return "AUDIT#" + partition + "#" + peerName;
    }

    /** The last refusal by the peer of a message about one service (an empty service: the service list). */
    static Map<String, AttributeValue> syncRefusal(PeeringKey peer, String service) {
        return key(syncRefusals(peer), "REFUSED#" + service);
    }

    static String syncRefusals(PeeringKey peer) {
        return SYNC_PREFIX + peer.partition() + "#" + peer.name();
    }

    static String importedFrom(PeeringKey peer) {
        return IMPORTED_PREFIX + peer.partition() + "#" + peer.name();
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
