package io.clusterpeering.domain;

/**
 * One health check, as Consul's {@code structs.HealthCheck}: a node check when {@code serviceId} is empty,
 * otherwise a check of that service instance.
 *
 * @param node        the node it runs on
 * @param checkId     unique per node
 * @param name        a human name
 * @param status      {@code passing}, {@code warning}, {@code critical} or {@code maintenance}
 * @param notes       free text
 * @param output      the last output
 * @param serviceId   the service instance it belongs to, or empty for a node check
 * @param serviceName that instance's service name, or empty
 * @param type        the check type (ttl, http, …), free text
 */
public record HealthCheck(String node, String checkId, String name, String status, String notes, String output,
                          String serviceId, String serviceName, String type) {

    public HealthCheck {
        name = name == null ? "" : name;
        notes = notes == null ? "" : notes;
        output = output == null ? "" : output;
        serviceId = serviceId == null ? "" : serviceId;
        serviceName = serviceName == null ? "" : serviceName;
        type = type == null ? "" : type;
    }
}
