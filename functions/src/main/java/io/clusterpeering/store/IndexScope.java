package io.clusterpeering.store;

import io.clusterpeering.domain.PeeringKey;

import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One Consul-index counter: the item whose {@code index} attribute a group of writes advances and a blocking
 * query on that group watches. Counters are per scope instead of one for the whole table, so no single item
 * takes every write of the cluster:
 * <pre>
 *   peerings of a partition          PEERING#&lt;partition&gt;            INDEX
 *   a local service's instances       CATALOG#&lt;partition&gt;            SERVICE#&lt;service&gt;#   (the service's head)
 *   the local service list            CATALOG#&lt;partition&gt;            LIST#
 *   an imported service's instances   IMPORTED#&lt;partition&gt;#&lt;peer&gt;    SERVICE#&lt;service&gt;#
 *   the imported service list         IMPORTED#&lt;partition&gt;#&lt;peer&gt;    LIST#
 *   everything else (ACLs, config)    INDEX                            peerings
 * </pre>
 * A counter lives in the same item collection as the data it counts, so a list read gets it in the same query.
 * Service heads are advanced inside the transactions that change the service (see {@code ServiceHeads}); the
 * other counters with one atomic {@code ADD} ({@link ConsulIndex#next(IndexScope)}).
 *
 * @param pk        the counter item's partition key
 * @param sk        the counter item's sort key
 * @param attribute the counter's attribute
 */
public record IndexScope(String pk, String sk, String attribute) {
    /** The cluster-wide counter of ACL and config entry writes (the table's original single counter). */
    public static final IndexScope GLOBAL = new IndexScope("INDEX", "peerings", ConsulIndex.VALUE);

    /** The counter of the peering rows of one partition. */
    public static IndexScope peerings(String partition) {
        return new IndexScope(TableKeys.peeringPartition(new PeeringKey(partition, "").partition()), PEERINGS_SK,
                ConsulIndex.VALUE);
    }

    /** The counter of one local service's instances. */
    public static IndexScope localService(String partition, String service) {
        return new IndexScope(CatalogItems.localPartition(partition), CatalogItems.headKey(service), ConsulIndex.HEAD_VALUE);
    }

    /** The counter of the local service list (names and tags). */
    public static IndexScope localServiceList(String partition) {
        return new IndexScope(CatalogItems.localPartition(partition), CatalogItems.LIST_PREFIX, ConsulIndex.HEAD_VALUE);
    }

    /** The counter of one service's instances imported from a peer. */
    public static IndexScope importedService(PeeringKey peer, String service) {
        return new IndexScope(TableKeys.importedFrom(peer), CatalogItems.headKey(service), ConsulIndex.HEAD_VALUE);
    }

    /** The counter of the service list imported from a peer. */
    public static IndexScope importedServiceList(PeeringKey peer) {
        return new IndexScope(TableKeys.importedFrom(peer), CatalogItems.LIST_PREFIX, ConsulIndex.HEAD_VALUE);
    }

    /** Sort key of the peerings counter: sorts before every {@code NAME#} row of the partition. */
    static final String PEERINGS_SK = "INDEX";

    Map<String, AttributeValue> key() {
        return TableKeys.key(pk, sk);
    }
}
