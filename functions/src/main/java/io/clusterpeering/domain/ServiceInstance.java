package io.clusterpeering.domain;

import java.util.List;
import java.util.Map;

/**
 * One service instance with its node and checks: Consul's {@code CheckServiceNode}. Local instances are read
 * with their node's current fields and node checks; imported ones carry what the exporting peer sent, with
 * {@code peerName} set to the local name of that peer.
 *
 * @param node            node name
 * @param nodeId          node UUID
 * @param address         node address
 * @param datacenter      node datacenter
 * @param nodeMeta        node metadata
 * @param taggedAddresses node tagged addresses
 * @param serviceId       instance ID, unique per node
 * @param service         service name
 * @param tags            service tags
 * @param serviceAddress  service address (empty: the node's)
 * @param port            service port
 * @param serviceMeta     service metadata
 * @param checks          node and service checks (imported: the one overall check)
 * @param peerName        empty for local instances; the local peer name for imported ones
 * @param createIndex     Consul-style index of creation
 * @param modifyIndex     Consul-style index of the last change
 */
public record ServiceInstance(String node, String nodeId, String address, String datacenter,
                              Map<String, String> nodeMeta, Map<String, String> taggedAddresses,
                              String serviceId, String service, List<String> tags, String serviceAddress, int port,
                              Map<String, String> serviceMeta, List<HealthCheck> checks, String peerName,
                              long createIndex, long modifyIndex) {

    public ServiceInstance {
        nodeId = nodeId == null ? "" : nodeId;
        datacenter = datacenter == null ? "" : datacenter;
        nodeMeta = nodeMeta == null ? Map.of() : Map.copyOf(nodeMeta);
        taggedAddresses = taggedAddresses == null ? Map.of() : Map.copyOf(taggedAddresses);
        tags = tags == null ? List.of() : List.copyOf(tags);
        serviceAddress = serviceAddress == null ? "" : serviceAddress;
        serviceMeta = serviceMeta == null ? Map.of() : Map.copyOf(serviceMeta);
        checks = checks == null ? List.of() : List.copyOf(checks);
        peerName = peerName == null ? "" : peerName;
    }

    /** Whether every check passes (Consul's {@code ?passing} filter). */
    public boolean passing() {
        return checks.stream().allMatch(c -> HealthStatus.PASSING.equals(c.status()));
    }
}
