package io.clusterpeering.peer;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.ServiceInstance;

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
     * Reads a snapshot claim; imported instances get {@code peerName}, the local name of the exporter.
     *
     * @throws IllegalArgumentException when a field has the wrong shape
     */
    @SuppressWarnings("unchecked")
    public static ReplicationSnapshot fromClaim(Map<String, Object> claim, String peerName) {
        try {
            List<ServiceInstance> instances = new ArrayList<>();
            for (Object o : (List<Object>) claim.getOrDefault("Instances", List.of())) {
                Map<String, Object> m = (Map<String, Object>) o;
                String node = text(m.get("Node"));
                String serviceId = text(m.get("ServiceID"));
                String service = text(m.get("Service"));
                List<HealthCheck> checks = new ArrayList<>();
                for (Object c : (List<Object>) m.getOrDefault("Checks", List.of())) {
                    Map<String, Object> cm = (Map<String, Object>) c;
                    checks.add(new HealthCheck(node, text(cm.get("CheckID")), text(cm.get("Name")),
                            text(cm.get("Status")), "", text(cm.get("Output")), serviceId, service, ""));
                }
                instances.add(new ServiceInstance(node, text(m.get("NodeID")), text(m.get("Address")),
                        text(m.get("Datacenter")), (Map<String, String>) m.get("NodeMeta"),
                        (Map<String, String>) m.get("TaggedAddresses"), serviceId, service, (List<String>) m.get("Tags"),
                        text(m.get("ServiceAddress")), (m.get("Port") instanceof Number port ? port.intValue() : 0),
                        (Map<String, String>) m.get("ServiceMeta"), checks, peerName, 0, 0));
            }
            return new ReplicationSnapshot((List<String>) claim.getOrDefault("Services", List.of()), instances,
                    (List<String>) claim.getOrDefault("Roots", List.of()), text(claim.get("TrustDomain")),
                    (List<String>) claim.getOrDefault("ServerAddresses", List.of()));
        } catch (ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("the replication snapshot is malformed", e);
        }
    }

    private static String text(Object value) {
        return value == null ? "" : value.toString();
    }
}
