package io.clusterpeering.peer;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceInstance;
import io.clusterpeering.token.Pem;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything an exporter shares with one peer, sent whole on every change and every resync (Consul sends the
 * same resources over its stream: the exported service list, each service's instances with one folded check,
 * the trust bundle, and the acceptor's server addresses).
 *
 * @param services        the service names exported to the peer, sorted
 * @param instances       their instances, each with its {@code <serviceID>:overall-check}
 * @param roots           the exporter's CA roots, PEM
 * @param trustDomain     the exporter's trust domain
 * @param serverAddresses the exporter's {@code host:port} addresses (a dialer updates PeerServerAddresses)
 */
public record ReplicationSnapshot(List<String> services, List<ServiceInstance> instances, List<String> roots,
                                  String trustDomain, List<String> serverAddresses) {

    /** The snapshot as a JSON-shaped claim value. */
    public Map<String, Object> toClaim() {
        Map<String, Object> claim = new LinkedHashMap<>();
        claim.put("Services", services);
        List<Object> list = new ArrayList<>();
        for (ServiceInstance i : instances) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("Node", i.node());
            m.put("NodeID", i.nodeId());
            m.put("Address", i.address());
            m.put("Datacenter", i.datacenter());
            m.put("NodeMeta", i.nodeMeta());
            m.put("TaggedAddresses", i.taggedAddresses());
            m.put("ServiceID", i.serviceId());
            m.put("Service", i.service());
            m.put("Tags", i.tags());
            m.put("ServiceAddress", i.serviceAddress());
            m.put("Port", i.port());
            m.put("ServiceMeta", i.serviceMeta());
            List<Object> checks = new ArrayList<>();
            for (HealthCheck c : i.checks()) {
                checks.add(Map.of("CheckID", c.checkId(), "Name", c.name(), "Status", c.status(), "Output", c.output()));
            }
            m.put("Checks", checks);
            list.add(m);
        }
        claim.put("Instances", list);
        claim.put("Roots", roots);
        claim.put("TrustDomain", trustDomain);
        claim.put("ServerAddresses", serverAddresses);
        return claim;
    }

    /**
     * Reads a snapshot claim; imported instances get {@code peerName}, the local name of the exporter. Every field
     * is checked for its type before anything is built, and the roots must be PEM certificates, so a malformed
     * snapshot is refused whole.
     *
     * @throws IllegalArgumentException naming the first field with the wrong shape
     */
    public static ReplicationSnapshot fromClaim(Map<String, Object> claim, String peerName) {
        if (claim == null) {
            throw new IllegalArgumentException("the snapshot is missing");
        }
        List<ServiceInstance> instances = new ArrayList<>();
        List<Object> listed = list(claim.get("Instances"), "Instances");
        for (int i = 0; i < listed.size(); i++) {
            String at = "Instances[" + i + "]";
            Map<String, Object> m = map(listed.get(i), at);
            String node = text(m.get("Node"));
            String serviceId = text(m.get("ServiceID"));
            String service = text(m.get("Service"));
            List<HealthCheck> checks = new ArrayList<>();
            List<Object> listedChecks = list(m.get("Checks"), at + ".Checks");
            for (int j = 0; j < listedChecks.size(); j++) {
                Map<String, Object> cm = map(listedChecks.get(j), at + ".Checks[" + j + "]");
                checks.add(new HealthCheck(node, text(cm.get("CheckID")), text(cm.get("Name")),
                        text(cm.get("Status")), "", text(cm.get("Output")), serviceId, service, ""));
            }
            Object port = m.get("Port");
            if (port != null && !(port instanceof Number)) {
                throw new IllegalArgumentException(at + ".Port is not a number");
            }
            instances.add(new ServiceInstance(node, text(m.get("NodeID")), text(m.get("Address")),
                    text(m.get("Datacenter")), stringMap(m.get("NodeMeta"), at + ".NodeMeta"),
                    stringMap(m.get("TaggedAddresses"), at + ".TaggedAddresses"), serviceId, service,
                    strings(m.get("Tags"), at + ".Tags"), text(m.get("ServiceAddress")),
                    port == null ? 0 : ((Number) port).intValue(),
                    stringMap(m.get("ServiceMeta"), at + ".ServiceMeta"), checks, peerName, 0, 0));
        }
        List<String> roots = strings(claim.get("Roots"), "Roots");
        if (!roots.isEmpty()) {
            Pem.decode(roots);
        }
        return new ReplicationSnapshot(strings(claim.get("Services"), "Services"), instances, roots,
                text(claim.get("TrustDomain")), strings(claim.get("ServerAddresses"), "ServerAddresses"));
    }

    private static List<Object> list(Object value, String field) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(field + " is not a list");
        }
        return new ArrayList<>(list);
    }

    private static List<String> strings(Object value, String field) {
        List<String> result = new ArrayList<>();
        for (Object item : list(value, field)) {
            if (!(item instanceof String text)) {
                throw new IllegalArgumentException(field + " holds something other than strings");
            }
            result.add(text);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String field) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(field + " is not an object");
        }
        return (Map<String, Object>) map;
    }

    private static Map<String, String> stringMap(Object value, String field) {
        if (value == null) {
            return null;
        }
        Map<String, String> result = new LinkedHashMap<>();
        map(value, field).forEach((key, item) -> {
            if (!(item instanceof String text)) {
                throw new IllegalArgumentException(field + "." + key + " is not a string");
            }
            result.put(key, text);
        });
        return result;
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
