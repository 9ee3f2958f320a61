package io.clusterpeering.service;

import java.util.List;
import java.util.Map;

/**
 * A catalog registration, Consul's {@code structs.RegisterRequest}: a node, optionally one service instance on
 * it, and checks. JSON keys are Consul's ({@code Node}, {@code Address}, {@code Service}, {@code Check},
 * {@code Checks}); they bind to these components case-insensitively, as Go's decoder does.
 *
 * @param node            node name (required)
 * @param id              node UUID (optional)
 * @param address         node address (required)
 * @param datacenter      datacenter (optional; the local one)
 * @param nodeMeta        node metadata
 * @param taggedAddresses node tagged addresses
 * @param service         the instance to register, or null
 * @param check           one check, or null
 * @param checks          more checks, or null
 */
public record CatalogRegistration(String node, String id, String address, String datacenter,
                                  Map<String, String> nodeMeta, Map<String, String> taggedAddresses,
                                  Service service, Check check, List<Check> checks) {

    /**
     * A service instance, Consul's {@code AgentService}.
     *
     * @param id      instance ID; defaults to the service name
     * @param service service name (required)
     * @param tags    tags
     * @param address service address
     * @param port    port, 0–65535
     * @param meta    metadata
     */
    public record Service(String id, String service, List<String> tags, String address, Integer port,
                          Map<String, String> meta) {
    }

    /**
     * A check, Consul's {@code HealthCheck}: a service check when {@code serviceId} is set, else a node check.
     *
     * @param checkId   ID; defaults to the name
     * @param name      name
     * @param status    passing, warning, critical (default) or maintenance
     * @param notes     notes
     * @param output    output
     * @param serviceId the instance it belongs to, or empty
     * @param type      free text
     */
    public record Check(String checkId, String name, String status, String notes, String output, String serviceId,
                        String type) {
    }

    /**
     * A catalog deregistration, Consul's {@code structs.DeregisterRequest}.
     *
     * @param node      node name (required)
     * @param serviceId remove only this instance
     * @param checkId   remove only this check
     */
    public record Deregistration(String node, String serviceId, String checkId) {
    }
}
