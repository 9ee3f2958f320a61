package io.clusterpeering.domain;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clusterpeering.domain.ConfigEntryFields.*;

/**
 * The {@code service-intentions} kind (Consul's {@code agent/structs/config_entry_intentions.go}): its rules, with
 * Consul's texts, for sources that are local services, partitions, sameness groups or peers.
 */
final class ServiceIntentionsEntry {
    private static final String ALLOW = "allow";
    private static final String DENY = "deny";
    private static final String SOURCE_TYPE_CONSUL = "consul";
    /** Consul caps a source's Description at the Meta value limit (512 bytes). */
    private static final int MAX_DESCRIPTION_LENGTH = PeeringRules.MAX_META_VALUE_LENGTH;

    private ServiceIntentionsEntry() {
    }

    /** Consul's {@code ServiceIntentionsConfigEntry.Validate}. @throws PeeringException.InvalidRequest on the first broken rule */
    static void validate(Map<String, Object> e, String name, String partition) {
        String namespace = string(e, "Namespace", "Namespace");
        String entryPartition = string(e, "Partition", "Partition");
        String problem = wildcardProblem(name, namespace, entryPartition, "", "");
        if (problem != null) {
            throw invalid(problem);
        }
        boolean wildcardDestination = name.equals(WILDCARD) || namespace.equals(WILDCARD);
        validateMeta(e);
        List<Object> sources = list(e, "Sources", "Sources");
        if (sources.isEmpty()) {
            throw invalid("At least one source is required");
        }
        Set<List<String>> seen = new HashSet<>();
        for (int i = 0; i < sources.size(); i++) {
            Map<String, Object> source = element(sources, i, "Sources");
            String path = "Sources[" + i + "]";
            String sourceName = string(source, "Name", path + ".Name");
            String peer = string(source, "Peer", path + ".Peer");
            String samenessGroup = string(source, "SamenessGroup", path + ".SamenessGroup");
            String sourcePartition = string(source, "Partition", path + ".Partition");
            String sourceNamespace = string(source, "Namespace", path + ".Namespace");
            String action = string(source, "Action", path + ".Action");
            String type = string(source, "Type", path + ".Type");
            String description = string(source, "Description", path + ".Description");
            Map<String, Object> legacyMeta = object(source, "LegacyMeta", path + ".LegacyMeta");
            List<Object> permissions = list(source, "Permissions", path + ".Permissions");

            if (sourceName.isEmpty()) {
                throw invalid(path + ".Name is required");
            }
            problem = wildcardProblem(sourceName, sourceNamespace, sourcePartition, peer, samenessGroup);
            if (problem != null) {
                throw invalid(path + "." + problem);
            }
            if (!peer.isEmpty() && !sourcePartition.isEmpty()) {
                throw invalid(path + ".Peer: cannot set Peer and Partition at the same time.");
            }
            if (!samenessGroup.isEmpty() && !sourcePartition.isEmpty()) {
                throw invalid(path + ".SamenessGroup: cannot set SamenessGroup and Partition at the same time");
            }
            if (!samenessGroup.isEmpty() && !peer.isEmpty()) {
                throw invalid(path + ".SamenessGroup: cannot set SamenessGroup and Peer at the same time");
            }
            if (description.getBytes(StandardCharsets.UTF_8).length > MAX_DESCRIPTION_LENGTH) {
                throw invalid(path + ".Description exceeds maximum length " + MAX_DESCRIPTION_LENGTH);
            }
            if (legacyMeta != null && !legacyMeta.isEmpty()) {
                throw invalid(path + ".LegacyMeta must be omitted");
            }
            if (permissions.isEmpty() && !isAllowOrDeny(action)) {
                throw invalid(path + ".Action must be set to 'allow' or 'deny'");
            }
            if (!permissions.isEmpty() && !action.isEmpty()) {
                throw invalid(path + ".Action must be omitted if Permissions are specified");
            }
            if (wildcardDestination && !permissions.isEmpty()) {
                throw invalid(path + ".Permissions cannot be specified on intentions with wildcarded destinations");
            }
            if (!type.isEmpty() && !type.equals(SOURCE_TYPE_CONSUL)) {
                throw invalid(path + ".Type must be set to 'consul'");
            }
            for (int j = 0; j < permissions.size(); j++) {
                Map<String, Object> permission = element(permissions, j, path + ".Permissions");
                String permissionPath = path + ".Permissions[" + j + "]";
                if (!isAllowOrDeny(string(permission, "Action", permissionPath + ".Action"))) {
                    throw invalid(permissionPath + ".Action must be set to 'allow' or 'deny'");
                }
                if (object(permission, "HTTP", permissionPath + ".HTTP") == null) {
                    throw invalid(permissionPath + ".HTTP is required");
                }
            }
            // Consul keys a source by (Peer, SamenessGroup, partition/namespace/name); a local source inherits
            // the destination's partition.
            String keyPartition = !peer.isEmpty() || !samenessGroup.isEmpty() ? ""
                    : sourcePartition.isEmpty() ? partition : sourcePartition;
            String keyNamespace = sourceNamespace.isEmpty() ? DEFAULT : sourceNamespace;
            if (!seen.add(List.of(peer, samenessGroup, keyPartition, keyNamespace, sourceName))) {
                if (!peer.isEmpty()) {
                    throw invalid(path + " defines peer(" + quote(peer) + ") " + quote(sourceName) + " more than once");
                }
                if (!samenessGroup.isEmpty()) {
                    throw invalid(path + " defines sameness-group(" + quote(samenessGroup) + ") " + quote(sourceName)
                            + " more than once");
                }
                throw invalid(path + " defines " + quote(sourceName) + " more than once");
            }
        }
    }

    /** Consul's {@code validateIntentionWildcards}: the problem without a path prefix, or null. */
    private static String wildcardProblem(String name, String namespace, String partition, String peer,
            String samenessGroup) {
        String ns = namespace.isEmpty() ? DEFAULT : namespace;
        if (!ns.equals(WILDCARD) && ns.contains(WILDCARD)) {
            return "Namespace: wildcard character '*' cannot be used with partial values";
        }
        if (!name.equals(WILDCARD)) {
            if (name.contains(WILDCARD)) {
                return "Name: wildcard character '*' cannot be used with partial values";
            }
            if (ns.equals(WILDCARD)) {
                return "Name: exact value cannot follow wildcard namespace";
            }
        }
        if (partition.contains(WILDCARD)) {
            return "Partition: cannot use wildcard '*' in partition";
        }
        if (peer.contains(WILDCARD)) {
            return "Peer: cannot use wildcard '*' in peer";
        }
        if (samenessGroup.contains(WILDCARD)) {
            return "SamenessGroup: cannot use wildcard '*' in sameness group";
        }
        return null;
    }

    private static boolean isAllowOrDeny(String action) {
        return action.equalsIgnoreCase(ALLOW) || action.equalsIgnoreCase(DENY);
    }
}
