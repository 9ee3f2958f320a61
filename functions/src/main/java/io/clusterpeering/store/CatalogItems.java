package io.clusterpeering.store;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.HealthStatus;
import io.clusterpeering.domain.ServiceInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.clusterpeering.store.Attributes.list;
import static io.clusterpeering.store.Attributes.map;
import static io.clusterpeering.store.Attributes.n;
import static io.clusterpeering.store.Attributes.s;
import static io.clusterpeering.store.Attributes.string;
import static io.clusterpeering.store.Attributes.stringMap;
import static io.clusterpeering.store.Attributes.strings;

/**
 * Sort keys and attributes of catalog items, shared by the local catalog ({@code CATALOG#<partition>}) and
 * what was imported from a peer ({@code IMPORTED#<partition>#<peer>}):
 * <pre>
 *   service list counter  LIST#                                   (Consul index of the service list)
 *   service list entry    LIST#&lt;service&gt;                         (tags, whether it has instances, exported)
 *   service head          SERVICE#&lt;service&gt;#                       (index, instance count, tag counts, digest)
 *   instance              SERVICE#&lt;service&gt;#&lt;node&gt;#&lt;service id&gt;  (self-contained: node fields and checks)
 *   node                  NODE#&lt;node&gt;                             (local only: fields, node checks, rev)
 *   instance pointer      NODE#&lt;node&gt;#SERVICE#&lt;service id&gt;        (local only: the instance's service name)
 * </pre>
 * Every instance item carries what a read or a peer needs of it (its node's fields and checks are copied into
 * it), and a service's head sorts just before its instances, so reading a service with its Consul index is one
 * query and exporting a change reads one item. The service list is a separate small item per service, written
 * only when what the list shows of it changes, so listing services reads no instance. No item grows with the size of
 * the catalog: a head holds one service's counts, a node item one node's checks.
 */
final class CatalogItems {
    static final String NODE_PREFIX = "NODE#";
    static final String SERVICE_PREFIX = "SERVICE#";
    static final String LIST_PREFIX = "LIST#";
    static final String POINTER_INFIX = "#SERVICE#";

    // Instance attributes.
    static final String NODE = "node";
    static final String NODE_ID = "nodeId";
    static final String ADDRESS = "address";
    static final String DATACENTER = "datacenter";
    static final String NODE_META = "nodeMeta";
    static final String TAGGED_ADDRESSES = "taggedAddresses";
    static final String NODE_CHECKS = "nodeChecks";
    static final String NODE_REV = "nodeRev";
    static final String SERVICE_ID = "serviceId";
    static final String SERVICE = "service";
    static final String TAGS = "tags";
    static final String SERVICE_ADDRESS = "serviceAddress";
    static final String PORT = "port";
    static final String SERVICE_META = "serviceMeta";
    static final String CHECKS = "checks";
    static final String PEER_NAME = "peerName";
    static final String CREATE_INDEX = "createIndex";
    static final String MODIFY_INDEX = "modifyIndex";
    /** Imported only: the exporter's version of the instance (its ModifyIndex there). */
    static final String VERSION = "ver";
    /** Imported only: a tombstone, kept so that an older update of a deleted instance cannot bring it back. */
    static final String DELETED = "deleted";
    /** Node items: advanced on every change of the node's fields or checks (copied into its instances). */
    static final String REV = "rev";
    /** Node items: the revision every instance of the node is known to hold a copy of. */
    static final String COPIED_REV = "copiedRev";

    private CatalogItems() {
    }

    static String localPartition(String partition) {
        return TableKeys.CATALOG_PREFIX + partition;
    }

    static String nodeKey(String node) {
        return NODE_PREFIX + node;
    }

    static String pointerKey(String node, String serviceId) {
        return NODE_PREFIX + node + POINTER_INFIX + serviceId;
    }

    static String pointerPrefix(String node) {
        return NODE_PREFIX + node + POINTER_INFIX;
    }

    static String serviceKey(String service, String node, String serviceId) {
        return serviceKeyPrefix(service) + instanceId(node, serviceId);
    }

    static String serviceKeyPrefix(String service) {
        return SERVICE_PREFIX + service + "#";
    }

    /** A service's head: its instances' prefix itself, so a query of the service returns the head first. */
    static String headKey(String service) {
        return serviceKeyPrefix(service);
    }

    static String listKey(String service) {
        return LIST_PREFIX + service;
    }

    /** An instance's identity within its service, {@code <node>#<service id>}: the tail of its sort key. */
    static String instanceId(String node, String serviceId) {
        return node + "#" + serviceId;
    }

    /** The service name of a list entry's sort key, or null for the list counter. */
    static String serviceOfListEntry(String sk) {
        return sk.length() > LIST_PREFIX.length() ? sk.substring(LIST_PREFIX.length()) : null;
    }

    /** The service name of a head's sort key ({@code SERVICE#<service>#}), or null for any other key. */
    static String serviceOfHead(String sk) {
        if (sk == null || !sk.startsWith(SERVICE_PREFIX) || !sk.endsWith("#")) {
            return null;
        }
        String service = sk.substring(SERVICE_PREFIX.length(), sk.length() - 1);
        return service.isEmpty() || service.indexOf('#') >= 0 ? null : service;
    }

    static AttributeValue check(HealthCheck check) {
        Map<String, AttributeValue> m = new HashMap<>();
        m.put("node", s(check.node()));
        m.put("checkId", s(check.checkId()));
        m.put("name", s(check.name()));
        m.put("status", s(check.status()));
        m.put("notes", s(check.notes()));
        m.put("output", s(check.output()));
        m.put("serviceId", s(check.serviceId()));
        m.put("serviceName", s(check.serviceName()));
        m.put("type", s(check.type()));
        return AttributeValue.fromM(m);
    }

    static HealthCheck check(Map<String, AttributeValue> m) {
        return new HealthCheck(string(m, "node"), string(m, "checkId"), string(m, "name"), string(m, "status"),
                string(m, "notes"), string(m, "output"), string(m, "serviceId"), string(m, "serviceName"),
                string(m, "type"));
    }

    /** A list attribute of checks, sorted by check ID (Consul lists a node's checks in that order). */
    static AttributeValue checks(List<HealthCheck> checks) {
        return AttributeValue.fromL(checks.stream().sorted(Comparator.comparing(HealthCheck::checkId))
                .map(CatalogItems::check).toList());
    }

    static List<HealthCheck> checks(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasL() ? List.of() : value.l().stream().map(v -> check(v.m())).toList();
    }

    /**
     * A local instance item: the instance's fields and service checks, with a copy of its node's fields and
     * node checks as of node revision {@code node.rev}.
     */
    static Map<String, AttributeValue> localInstance(String pk, NodeItem node, String serviceId, String service,
                                                     List<String> tags, String serviceAddress, int port,
                                                     Map<String, String> serviceMeta, List<HealthCheck> serviceChecks) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk, serviceKey(service, node.node(), serviceId)));
        putNode(item, node);
        item.put(SERVICE_ID, s(serviceId));
        item.put(SERVICE, s(service));
        item.put(TAGS, list(tags));
        item.put(SERVICE_ADDRESS, s(serviceAddress == null ? "" : serviceAddress));
        item.put(PORT, n(port));
        item.put(SERVICE_META, map(serviceMeta));
        item.put(CHECKS, checks(serviceChecks));
        return item;
    }

    /** The same local instance item with its node copy replaced by {@code node}'s current fields and checks. */
    static Map<String, AttributeValue> withNode(Map<String, AttributeValue> instance, NodeItem node) {
        Map<String, AttributeValue> item = new HashMap<>(instance);
        putNode(item, node);
        return item;
    }

    private static void putNode(Map<String, AttributeValue> item, NodeItem node) {
        item.put(NODE, s(node.node()));
        item.put(NODE_ID, s(node.nodeId()));
        item.put(ADDRESS, s(node.address()));
        item.put(DATACENTER, s(node.datacenter()));
        item.put(NODE_META, map(node.meta()));
        item.put(TAGGED_ADDRESSES, map(node.taggedAddresses()));
        item.put(NODE_CHECKS, checks(node.checks()));
        item.put(NODE_REV, n(node.rev()));
    }

    /** The attributes of an imported instance item, as the peer sent it, with the peer's version. */
    static Map<String, AttributeValue> importedInstance(String pk, ServiceInstance instance, long version) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk,
                serviceKey(instance.service(), instance.node(), instance.serviceId())));
        item.put(NODE, s(instance.node()));
        item.put(NODE_ID, s(instance.nodeId()));
        item.put(ADDRESS, s(instance.address()));
        item.put(DATACENTER, s(instance.datacenter()));
        item.put(NODE_META, map(instance.nodeMeta()));
        item.put(TAGGED_ADDRESSES, map(instance.taggedAddresses()));
        item.put(SERVICE_ID, s(instance.serviceId()));
        item.put(SERVICE, s(instance.service()));
        item.put(TAGS, list(instance.tags()));
        item.put(SERVICE_ADDRESS, s(instance.serviceAddress()));
        item.put(PORT, n(instance.port()));
        item.put(SERVICE_META, map(instance.serviceMeta()));
        item.put(CHECKS, AttributeValue.fromL(instance.checks().stream().map(CatalogItems::check).toList()));
        item.put(PEER_NAME, s(instance.peerName()));
        item.put(VERSION, n(version));
        return item;
    }

    /** A tombstone for an imported instance deleted by the peer at {@code version}; removed by TTL or a resync. */
    static Map<String, AttributeValue> tombstone(Map<String, AttributeValue> key, String node, String serviceId,
                                                 String service, long version, long expiresAtEpochSeconds) {
        Map<String, AttributeValue> item = new HashMap<>(key);
        item.put(NODE, s(node));
        item.put(SERVICE_ID, s(serviceId));
        item.put(SERVICE, s(service));
        item.put(VERSION, n(version));
        item.put(DELETED, AttributeValue.fromBool(true));
        item.put(TableKeys.EXPIRES_AT, n(expiresAtEpochSeconds));
        return item;
    }

    static boolean isTombstone(Map<String, AttributeValue> item) {
        AttributeValue value = item == null ? null : item.get(DELETED);
        return value != null && Boolean.TRUE.equals(value.bool());
    }

    /**
     * An instance from its item: a local one lists its node's checks and its own, sorted by check ID; an
     * imported one its one overall check.
     */
    static ServiceInstance instance(Map<String, AttributeValue> item) {
        List<HealthCheck> checks = new ArrayList<>(checks(item, NODE_CHECKS));
        checks.addAll(checks(item, CHECKS));
        if (item.containsKey(NODE_CHECKS)) {
            checks.sort(Comparator.comparing(HealthCheck::checkId));
        }
        return new ServiceInstance(string(item, NODE), string(item, NODE_ID), string(item, ADDRESS),
                string(item, DATACENTER), stringMap(item, NODE_META), stringMap(item, TAGGED_ADDRESSES),
                string(item, SERVICE_ID), string(item, SERVICE), strings(item, TAGS), string(item, SERVICE_ADDRESS),
                (int) Attributes.number(item, PORT), stringMap(item, SERVICE_META), checks, string(item, PEER_NAME),
                Attributes.number(item, CREATE_INDEX), Attributes.number(item, MODIFY_INDEX));
    }

    /**
     * An instance as a peer sees it: all its checks folded into one {@code <serviceID>:overall-check} whose status
     * is the worst of them (Consul's peer stream does the same), no peer name, no indexes. An imported item is
     * already in that form.
     */
    static ServiceInstance exported(Map<String, AttributeValue> item) {
        ServiceInstance local = instance(item);
        if (!item.containsKey(NODE_CHECKS)) {
            return new ServiceInstance(local.node(), local.nodeId(), local.address(), local.datacenter(),
                    local.nodeMeta(), local.taggedAddresses(), local.serviceId(), local.service(), local.tags(),
                    local.serviceAddress(), local.port(), local.serviceMeta(), local.checks(), "", 0, 0);
        }
        return new ServiceInstance(local.node(), local.nodeId(), local.address(), local.datacenter(), local.nodeMeta(),
                local.taggedAddresses(), local.serviceId(), local.service(), local.tags(), local.serviceAddress(),
                local.port(), local.serviceMeta(),
                List.of(HealthStatus.overallCheck(local.node(), local.serviceId(), local.service(), local.checks())),
                "", 0, 0);
    }

    /**
     * A node item's content.
     *
     * @param node            the node name
     * @param nodeId          its UUID, or empty
     * @param address         its address
     * @param datacenter      its datacenter
     * @param meta            its metadata
     * @param taggedAddresses its tagged addresses
     * @param checks          its node checks (service ID empty)
     * @param rev             its revision, advanced on every change; 0 before it is stored
     * @param copiedRev       the revision all its instances are known to hold (below {@code rev} while a change is
     *                        being copied into them, or when a crash interrupted the copy)
     */
    record NodeItem(String node, String nodeId, String address, String datacenter, Map<String, String> meta,
                    Map<String, String> taggedAddresses, List<HealthCheck> checks, long rev, long copiedRev) {
        NodeItem {
            nodeId = nodeId == null ? "" : nodeId;
            datacenter = datacenter == null ? "" : datacenter;
            meta = meta == null ? Map.of() : Map.copyOf(meta);
            taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
            checks = checks == null ? List.of() : checks.stream().sorted(Comparator.comparing(HealthCheck::checkId)).toList();
        }

        static NodeItem of(Map<String, AttributeValue> item) {
            return new NodeItem(string(item, NODE), string(item, NODE_ID), string(item, ADDRESS), string(item, DATACENTER),
                    stringMap(item, NODE_META), stringMap(item, TAGGED_ADDRESSES), CatalogItems.checks(item, CHECKS),
                    Attributes.number(item, REV), Attributes.number(item, COPIED_REV));
        }

        Map<String, AttributeValue> toItem(String pk) {
            Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk, nodeKey(node)));
            item.put(NODE, s(node));
            item.put(NODE_ID, s(nodeId));
            item.put(ADDRESS, s(address));
            item.put(DATACENTER, s(datacenter));
            item.put(NODE_META, map(meta));
            item.put(TAGGED_ADDRESSES, map(taggedAddresses));
            item.put(CHECKS, CatalogItems.checks(checks));
            item.put(REV, n(rev));
            item.put(COPIED_REV, n(copiedRev));
            return item;
        }

        /** Whether the fields and checks a reader or a peer sees are the same (the revision aside). */
        boolean sameContent(NodeItem other) {
            return other != null && node.equals(other.node) && nodeId.equals(other.nodeId)
                    && address.equals(other.address) && datacenter.equals(other.datacenter) && meta.equals(other.meta)
                    && taggedAddresses.equals(other.taggedAddresses) && checks.equals(other.checks);
        }

        NodeItem withRev(long newRev, long newCopiedRev) {
            return new NodeItem(node, nodeId, address, datacenter, meta, taggedAddresses, checks, newRev, newCopiedRev);
        }
    }
}
