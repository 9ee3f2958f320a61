package io.clusterpeering.domain;

/**
 * One instance of an exported service as replication carries it: its identity, its state (null when the
 * exporter deleted it) and the exporter's version of that state (its ModifyIndex there, or for a deletion an
 * index at least that of the deletion). The importer keeps, per instance, the highest version it applied and
 * ignores anything older, so updates may arrive late, twice or out of order.
 *
 * @param node      the node name
 * @param serviceId the service ID, unique per node
 * @param instance  the instance in its exported form (one folded check), or null for a deletion
 * @param version   the exporter's version, 1 or more
 */
public record VersionedInstance(String node, String serviceId, ServiceInstance instance, long version) {
    /** Whether this is a deletion. */
    public boolean deleted() {
        return instance == null;
    }

    /** The instance's identity within its service, {@code <node>#<service id>}. */
    public String instanceId() {
        return node + "#" + serviceId;
    }
}
