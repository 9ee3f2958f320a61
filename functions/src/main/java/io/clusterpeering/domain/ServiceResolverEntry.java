package io.clusterpeering.domain;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static io.clusterpeering.domain.ConfigEntryFields.*;

/**
 * The {@code service-resolver} kind (Consul's {@code agent/structs/config_entry_discoverychain.go}): its rules,
 * with Consul's texts (redirects, failover to services, datacenters and peers), and the services it sends
 * traffic to.
 */
final class ServiceResolverEntry {
    private ServiceResolverEntry() {
    }

    /** Consul's {@code ServiceResolverConfigEntry.Validate}. @throws PeeringException.InvalidRequest on the first broken rule */
    static void validate(Map<String, Object> e, String name, String partition) {
        validateMeta(e);
        Map<String, Object> subsets = object(e, "Subsets", "Subsets");
        Set<String> subsetNames = subsets == null ? Set.of() : subsets.keySet();
        String defaultSubset = string(e, "DefaultSubset", "DefaultSubset");
        if (!defaultSubset.isEmpty() && !subsetNames.contains(defaultSubset)) {
            throw invalid("DefaultSubset " + quote(defaultSubset) + " is not a valid subset");
        }
        boolean inDefaultPartition = partition.equals(DEFAULT);
        Map<String, Object> redirect = object(e, "Redirect", "Redirect");
        Map<String, Object> failover = object(e, "Failover", "Failover");
        boolean hasFailover = failover != null && !failover.isEmpty();

        if (redirect != null) {
            String service = string(redirect, "Service", "Redirect.Service");
            String serviceSubset = string(redirect, "ServiceSubset", "Redirect.ServiceSubset");
            String namespace = string(redirect, "Namespace", "Redirect.Namespace");
            String redirectPartition = string(redirect, "Partition", "Redirect.Partition");
            String datacenter = string(redirect, "Datacenter", "Redirect.Datacenter");
            String peer = string(redirect, "Peer", "Redirect.Peer");
            if (!inDefaultPartition && !datacenter.isEmpty()) {
                throw invalid("Cross-datacenter redirect is only supported in the default partition");
            }
            String targetPartition = redirectPartition.isEmpty() ? DEFAULT : redirectPartition;
            if (!targetPartition.equals(partition) && !datacenter.isEmpty()) {
                throw invalid("Cross-datacenter and cross-partition redirect is not supported");
            }
            if (hasFailover) {
                throw invalid("Redirect and Failover cannot both be set");
            }
            if (service.isEmpty() && serviceSubset.isEmpty() && namespace.isEmpty() && redirectPartition.isEmpty()
                    && datacenter.isEmpty() && peer.isEmpty()) {
                throw invalid("Redirect is empty");
            }
            if (!peer.isEmpty() && !serviceSubset.isEmpty()) {
                throw invalid("Redirect.Peer cannot be set with Redirect.ServiceSubset");
            } else if (!peer.isEmpty() && !redirectPartition.isEmpty()) {
                throw invalid("Redirect.Partition cannot be set with Redirect.Peer");
            } else if (!peer.isEmpty() && !datacenter.isEmpty()) {
                throw invalid("Redirect.Peer cannot be set with Redirect.Datacenter");
            } else if (service.isEmpty()) {
                if (!serviceSubset.isEmpty()) {
                    throw invalid("Redirect.ServiceSubset defined without Redirect.Service");
                }
                if (!namespace.isEmpty()) {
                    throw invalid("Redirect.Namespace defined without Redirect.Service");
                }
                if (!redirectPartition.isEmpty()) {
                    throw invalid("Redirect.Partition defined without Redirect.Service");
                }
                if (!peer.isEmpty()) {
                    throw invalid("Redirect.Peer defined without Redirect.Service");
                }
            } else if (!serviceSubset.isEmpty() && service.equals(name) && !subsetNames.contains(serviceSubset)) {
                throw invalid("Redirect.ServiceSubset " + quote(serviceSubset) + " is not a valid subset of "
                        + quote(name));
            }
        }

        if (hasFailover) {
            // Go visits map keys in random order; sorting makes the first reported error deterministic.
            for (String subset : new TreeSet<>(failover.keySet())) {
                validateFailover(subset, failover.get(subset), name, subsetNames, inDefaultPartition);
            }
        }
    }

    private static void validateFailover(String subset, Object raw, String name, Set<String> subsetNames,
            boolean inDefaultPartition) {
        String path = "Failover[" + quote(subset) + "]";
        Map<String, Object> f = asObject(raw, path);
        String service = string(f, "Service", path + ".Service");
        String serviceSubset = string(f, "ServiceSubset", path + ".ServiceSubset");
        String namespace = string(f, "Namespace", path + ".Namespace");
        List<Object> datacenters = list(f, "Datacenters", path + ".Datacenters");
        List<Object> targets = list(f, "Targets", path + ".Targets");
        String prefix = "Bad " + path + ": ";

        if (!inDefaultPartition && !datacenters.isEmpty()) {
            throw invalid("Cross-datacenter failover is only supported in the default partition");
        }
        if (!subset.equals(WILDCARD) && !subsetNames.contains(subset)) {
            // sic: Consul's text repeats the word.
            throw invalid(prefix + "not a valid subset subset");
        }
        if (service.isEmpty() && serviceSubset.isEmpty() && namespace.isEmpty() && datacenters.isEmpty()
                && targets.isEmpty()) {
            throw invalid(prefix + "one of Service, ServiceSubset, Namespace, Targets, or Datacenters is required");
        }
        if (!serviceSubset.isEmpty() && (service.isEmpty() || service.equals(name))
                && !subsetNames.contains(serviceSubset)) {
            throw invalid(prefix + "ServiceSubset " + quote(serviceSubset) + " is not a valid subset of "
                    + quote(service));
        }
        if (!datacenters.isEmpty() && !targets.isEmpty()) {
            throw invalid(prefix + "Targets cannot be set with Datacenters");
        }
        if (!serviceSubset.isEmpty() && !targets.isEmpty()) {
            throw invalid(prefix + "Targets cannot be set with ServiceSubset");
        }
        if (!service.isEmpty() && !targets.isEmpty()) {
            throw invalid(prefix + "Targets cannot be set with Service");
        }
        for (int j = 0; j < targets.size(); j++) {
            Map<String, Object> target = element(targets, j, path + ".Targets");
            String targetPath = path + ".Targets[" + j + "]";
            String targetService = string(target, "Service", targetPath + ".Service");
            String targetSubset = string(target, "ServiceSubset", targetPath + ".ServiceSubset");
            String targetPartition = string(target, "Partition", targetPath + ".Partition");
            string(target, "Namespace", targetPath + ".Namespace");
            String targetDatacenter = string(target, "Datacenter", targetPath + ".Datacenter");
            String targetPeer = string(target, "Peer", targetPath + ".Peer");
            String targetPrefix = "Bad " + targetPath + ": ";
            if (!targetPeer.isEmpty() && !targetSubset.isEmpty()) {
                throw invalid(targetPrefix + "Peer cannot be set with ServiceSubset");
            } else if (!targetPeer.isEmpty() && !targetPartition.isEmpty()) {
                throw invalid(targetPrefix + "Partition cannot be set with Peer");
            } else if (!targetPeer.isEmpty() && !targetDatacenter.isEmpty()) {
                throw invalid(targetPrefix + "Peer cannot be set with Datacenter");
            } else if (!targetPartition.isEmpty() && !targetDatacenter.isEmpty()) {
                throw invalid(targetPrefix + "Partition cannot be set with Datacenter");
            } else if (!targetSubset.isEmpty() && (targetService.isEmpty() || targetService.equals(name))
                    && !subsetNames.contains(targetSubset)) {
                throw invalid(targetPrefix + "ServiceSubset " + quote(targetSubset) + " is not a valid subset of "
                        + quote(name));
            }
        }
        for (int j = 0; j < datacenters.size(); j++) {
            Object dc = datacenters.get(j);
            if (dc != null && !(dc instanceof String)) {
                throw invalid(path + ".Datacenters[" + j + "] must be a string");
            }
            if (dc == null || ((String) dc).isEmpty()) {
                throw invalid("Bad " + path + ".Datacenters: found empty datacenter");
            }
        }
    }

    /**
     * The other services a service-resolver entry sends traffic to (Consul's {@code listRelatedServices}): the
     * Redirect's Service and every Failover's Service and Targets' Service, other than the entry's own name;
     * targets on a peer are left out, since they name the peer's services, not ours. Writing a resolver needs
     * {@code service:read} on each.
     *
     * @param entry a valid entry (see {@link #validate})
     * @return the names, sorted and distinct
     */
    static List<String> relatedServices(Map<String, Object> e) {
        String name = string(e, "Name", "Name");
        TreeSet<String> related = new TreeSet<>();
        Map<String, Object> redirect = object(e, "Redirect", "Redirect");
        if (redirect != null && string(redirect, "Peer", "Redirect.Peer").isEmpty()) {
            related.add(string(redirect, "Service", "Redirect.Service"));
        }
        Map<String, Object> failover = object(e, "Failover", "Failover");
        if (failover != null) {
            for (String subset : failover.keySet()) {
                String path = "Failover[" + quote(subset) + "]";
                Map<String, Object> f = object(failover, subset, path);
                if (f == null) {
                    continue;
                }
                related.add(string(f, "Service", path + ".Service"));
                List<Object> targets = list(f, "Targets", path + ".Targets");
                for (int j = 0; j < targets.size(); j++) {
                    Map<String, Object> target = element(targets, j, path + ".Targets");
                    if (string(target, "Peer", path + ".Targets[" + j + "].Peer").isEmpty()) {
                        related.add(string(target, "Service", path + ".Targets[" + j + "].Service"));
                    }
                }
            }
        }
        related.remove("");
        related.remove(name);
        return List.copyOf(related);
    }
}
