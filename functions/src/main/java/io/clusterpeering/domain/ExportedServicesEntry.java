package io.clusterpeering.domain;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static io.clusterpeering.domain.ConfigEntryFields.*;

/**
 * The {@code exported-services} kind (Consul's {@code agent/structs/config_entry_exports.go}): its rules, with
 * Consul's texts, and which peers it exports each service to.
 */
final class ExportedServicesEntry {
    private ExportedServicesEntry() {
    }

    /** Consul's {@code ExportedServicesConfigEntry.Validate}. @throws PeeringException.InvalidRequest on the first broken rule */
    static void validate(Map<String, Object> e, String name, String partition) {
        if (!name.equals(partition)) {
            throw invalid("exported-services Name must be " + quote(partition));
        }
        validateMeta(e);
        List<Object> services = list(e, "Services", "Services");
        for (int i = 0; i < services.size(); i++) {
            Map<String, Object> service = element(services, i, "Services");
            String path = "Services[" + i + "]";
            String serviceName = string(service, "Name", path + ".Name");
            String namespace = string(service, "Namespace", path + ".Namespace");
            if (serviceName.isEmpty()) {
                throw invalid(path + ": service name cannot be empty");
            }
            if (namespace.equals(WILDCARD) && !serviceName.equals(WILDCARD)) {
                throw invalid(path + ": service name must be wildcard if namespace is wildcard");
            }
            List<Object> consumers = list(service, "Consumers", path + ".Consumers");
            if (consumers.isEmpty()) {
                throw invalid(path + ": must have at least one consumer");
            }
            for (int j = 0; j < consumers.size(); j++) {
                Map<String, Object> consumer = element(consumers, j, path + ".Consumers");
                String consumerPath = path + ".Consumers[" + j + "]";
                String peer = consumerPeer(consumer, consumerPath);
                String consumerPartition = string(consumer, "Partition", consumerPath + ".Partition");
                String samenessGroup = string(consumer, "SamenessGroup", consumerPath + ".SamenessGroup");
                int count = (peer.isEmpty() ? 0 : 1) + (consumerPartition.isEmpty() ? 0 : 1)
                        + (samenessGroup.isEmpty() ? 0 : 1);
                if (count > 1) {
                    throw invalid(consumerPath + ": must define at most one of Peer, Partition, or SamenessGroup");
                }
                if (consumerPartition.equals(WILDCARD)) {
                    throw invalid(consumerPath + ": exporting to all partitions (wildcard) is not supported");
                }
                if (peer.equals(WILDCARD)) {
                    throw invalid(consumerPath + ": exporting to all peers (wildcard) is not supported");
                }
                if (count == 0) {
                    throw invalid(consumerPath + ": must define one of Peer, Partition, or SamenessGroup");
                }
            }
        }
    }

    /** A consumer's {@code Peer}, or the 1.13 name of that field, {@code PeerName}; "" when neither is set. */
    private static String consumerPeer(Map<String, Object> consumer, String path) {
        String peer = string(consumer, "Peer", path + ".Peer");
        return peer.isEmpty() ? string(consumer, "PeerName", path + ".PeerName") : peer;
    }

    /**
     * Which peers an exported-services entry exports each service to: service name (possibly {@code *}) to the
     * sorted, distinct names of the consumers that name a {@code Peer} (or the 1.13 alias {@code PeerName}).
     * Services exported only to partitions or sameness groups are left out. Services listed twice (e.g. from two
     * namespaces) are merged. Used to decide what to replicate to which peer.
     *
     * @param entry a valid exported-services entry (see {@link #validate})
     * @return an unmodifiable map ordered by service name
     */
    static Map<String, List<String>> peersByService(Map<String, Object> entry) {
        Map<String, TreeSet<String>> peersByService = new TreeMap<>();
        List<Object> services = list(entry, "Services", "Services");
        for (int i = 0; i < services.size(); i++) {
            Map<String, Object> service = element(services, i, "Services");
            String path = "Services[" + i + "]";
            String name = string(service, "Name", path + ".Name");
            List<Object> consumers = list(service, "Consumers", path + ".Consumers");
            for (int j = 0; j < consumers.size(); j++) {
                Map<String, Object> consumer = element(consumers, j, path + ".Consumers");
                String peer = consumerPeer(consumer, path + ".Consumers[" + j + "]");
                if (!peer.isEmpty()) {
                    peersByService.computeIfAbsent(name, k -> new TreeSet<>()).add(peer);
                }
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        peersByService.forEach((service, peers) -> out.put(service, List.copyOf(peers)));
        return Collections.unmodifiableMap(out);
    }
}
