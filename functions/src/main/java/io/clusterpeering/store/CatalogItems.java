package io.clusterpeering.store;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceInstance;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

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
 *   node        NODE#&lt;node&gt;
 *   instance    SERVICE#&lt;service&gt;#&lt;node&gt;#&lt;service id&gt;
 *   check       CHECK#&lt;node&gt;#&lt;check id&gt;        (local only; imported instances embed their one check)
 * </pre>
 */
final class CatalogItems {
    static final String NODE_PREFIX = "NODE#";
    static final String SERVICE_PREFIX = "SERVICE#";
    static final String CHECK_PREFIX = "CHECK#";

    private CatalogItems() {
    }

    static String localPartition(String partition) {
        return "CATALOG#" + partition;
    }

    static String nodeKey(String node) {
        return NODE_PREFIX + node;
    }

    static String serviceKey(String service, String node, String serviceId) {
        return SERVICE_PREFIX + service + "#" + node + "#" + serviceId;
    }

    static String serviceKeyPrefix(String service) {
        return SERVICE_PREFIX + service + "#";
    }

    static String checkKey(String node, String checkId) {
        return CHECK_PREFIX + node + "#" + checkId;
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

    /** The attributes of a self-contained (imported) instance item: node fields, service fields, its checks. */
    static Map<String, AttributeValue> importedInstance(String pk, ServiceInstance instance) {
        Map<String, AttributeValue> item = new HashMap<>(TableKeys.key(pk,
                serviceKey(instance.service(), instance.node(), instance.serviceId())));
        item.put("node", s(instance.node()));
        item.put("nodeId", s(instance.nodeId()));
        item.put("address", s(instance.address()));
        item.put("datacenter", s(instance.datacenter()));
        item.put("nodeMeta", map(instance.nodeMeta()));
        item.put("taggedAddresses", map(instance.taggedAddresses()));
        item.put("serviceId", s(instance.serviceId()));
        item.put("service", s(instance.service()));
        item.put("tags", list(instance.tags()));
        item.put("serviceAddress", s(instance.serviceAddress()));
        item.put("port", n(instance.port()));
        item.put("serviceMeta", map(instance.serviceMeta()));
        item.put("checks", AttributeValue.fromL(instance.checks().stream().map(CatalogItems::check).toList()));
        item.put("peerName", s(instance.peerName()));
        return item;
    }

    /** An instance from its item; node fields come from {@code node} when given (local), else from the item. */
    static ServiceInstance instance(Map<String, AttributeValue> item, Map<String, AttributeValue> node,
                                    List<HealthCheck> checks) {
        Map<String, AttributeValue> nodeSource = node == null ? item : node;
        return new ServiceInstance(string(item, "node"), string(nodeSource, "nodeId"), string(nodeSource, "address"),
                string(nodeSource, "datacenter"), stringMap(nodeSource, "nodeMeta"), stringMap(nodeSource, "taggedAddresses"),
                string(item, "serviceId"), string(item, "service"), strings(item, "tags"), string(item, "serviceAddress"),
                (int) Attributes.number(item, "port"), stringMap(item, "serviceMeta"),
                checks != null ? checks : embeddedChecks(item), string(item, "peerName"),
                Attributes.number(item, "createIndex"), Attributes.number(item, "modifyIndex"));
    }

    static List<HealthCheck> embeddedChecks(Map<String, AttributeValue> item) {
        AttributeValue value = item.get("checks");
        return value == null || !value.hasL() ? List.of() : value.l().stream().map(v -> check(v.m())).toList();
    }
}
