package io.clusterpeering.connect;

import java.util.List;
import java.util.Map;

/**
 * One source of a {@code service-intentions} config entry, seen as Consul's {@code structs.Intention} (what
 * {@code /v1/connect/intentions/match} lists and what a decision names): the destination is the entry's
 * {@code Name}, the source one element of its {@code Sources}.
 *
 * @param destinationName      the entry's Name, a service or {@code *}
 * @param destinationNamespace the entry's Namespace, {@code default} when unset
 * @param destinationPartition the entry's partition
 * @param sourceName           the source's Name, a service or {@code *}
 * @param sourceNamespace      the source's Namespace, {@code default} when unset
 * @param sourcePartition      the source's Partition; empty for a peer source (Consul leaves it empty there)
 * @param sourcePeer           the local name of the peering the source comes through; empty for a local source
 * @param action               {@code allow} or {@code deny} (lower case); empty when {@link #permissions} decide
 * @param permissions          the L7 permissions as stored, empty for an L4 intention
 * @param description          the source's Description
 * @param precedence           Consul's precedence, 9 (exact to exact) down to 5 (any to any)
 * @param createIndex          the entry's CreateIndex
 * @param modifyIndex          the entry's ModifyIndex
 */
public record Intention(String destinationName, String destinationNamespace, String destinationPartition,
                        String sourceName, String sourceNamespace, String sourcePartition, String sourcePeer,
                        String action, List<Map<String, Object>> permissions, String description, int precedence,
                        long createIndex, long modifyIndex) {

    /** The wildcard of names. */
    public static final String WILDCARD = "*";

    public Intention {
        permissions = permissions == null ? List.of() : List.copyOf(permissions);
    }

    /**
     * Consul's {@code UpdatePrecedence} for names in the default namespace: an exact destination ranks 9 with an
     * exact source and 8 with {@code *}; a {@code *} destination 6 and 5. A source's peer does not change it.
     */
    static int precedenceOf(String destinationName, String sourceName) {
        int max = WILDCARD.equals(destinationName) ? 6 : 9;
        return WILDCARD.equals(sourceName) ? max - 1 : max;
    }

    /** Whether the L4 decision is {@code allow}: an L7 intention (with permissions) never allows a connection. */
    public boolean allowsConnection() {
        return permissions.isEmpty() && "allow".equals(action);
    }

    /** Whether this intention's source covers a caller: same peer (or both local), and the name or {@code *}. */
    public boolean matchesSource(String peer, String service) {
        return sourcePeer.equals(peer) && (WILDCARD.equals(sourceName) || sourceName.equals(service));
    }

    /** Whether this intention's destination covers a service: the name or {@code *}. */
    public boolean matchesDestination(String service) {
        return WILDCARD.equals(destinationName) || destinationName.equals(service);
    }

    /** Consul's {@code SourceString}: {@code peer:<peer>/<name>} for a peer source, the name otherwise. */
    public String sourceString() {
        return sourcePeer.isEmpty() ? sourceName : "peer:" + sourcePeer + "/" + sourceName;
    }

    /**
     * Consul's {@code Intention.String()}, which a decision's {@code Reason} quotes:
     * {@code [peer(<peer>)/|<partition>/]<ns>/<source> => [<partition>/]<ns>/<destination> (Precedence: N, Action: ALLOW)},
     * or {@code Permissions: K} in place of the action for an L7 intention. A partition is written only when it is
     * not {@code default}, as Consul's community edition (which has no partitions) never writes one.
     */
    public String describe() {
        String sourceCluster = !sourcePeer.isEmpty() ? "peer(" + sourcePeer + ")/" : partitionPart(sourcePartition);
        String detail = permissions.isEmpty() ? "Action: " + action.toUpperCase(java.util.Locale.ROOT)
                : "Permissions: " + permissions.size();
        return sourceCluster + sourceNamespace + "/" + sourceName + " => " + partitionPart(destinationPartition)
                + destinationNamespace + "/" + destinationName + " (Precedence: " + precedence + ", " + detail + ")";
    }

    private static String partitionPart(String partition) {
        return partition == null || partition.isEmpty() || "default".equals(partition) ? "" : partition + "/";
    }
}
