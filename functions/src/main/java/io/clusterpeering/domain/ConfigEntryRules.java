package io.clusterpeering.domain;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consul's validation of the three config entry kinds this project stores ({@code exported-services},
 * {@code service-intentions}, {@code service-resolver}), with Consul's message texts. Entries arrive as parsed
 * JSON: a {@code Map<String, Object>} whose values are String, Number, Boolean, null, List or Map. Field keys are
 * Consul's PascalCase names, matched as Consul's decoder does: exactly first, then ignoring case (and
 * underscores, which covers Consul's snake_case aliases such as {@code service_subset}). A JSON null counts as
 * an absent field. Every method throws {@link PeeringException.InvalidRequest} (HTTP 400) on the first rule
 * broken; a value of the wrong JSON type is reported as {@code <field> must be a string|a list|an object}.
 */
public final class ConfigEntryRules {
    public static final String EXPORTED_SERVICES = "exported-services";
    public static final String SERVICE_INTENTIONS = "service-intentions";
    public static final String SERVICE_RESOLVER = "service-resolver";
    /** The kinds we store, in this order. */
    public static final List<String> KINDS = List.of(EXPORTED_SERVICES, SERVICE_INTENTIONS, SERVICE_RESOLVER);

    private static final String WILDCARD = "*";
    private static final String DEFAULT = "default";
    private static final String ALLOW = "allow";
    private static final String DENY = "deny";
    private static final String SOURCE_TYPE_CONSUL = "consul";
    /** Consul caps a source's Description at the Meta value limit (512 bytes). */
    private static final int MAX_DESCRIPTION_LENGTH = PeeringRules.MAX_META_VALUE_LENGTH;

    private ConfigEntryRules() {
    }

    /**
     * Validates a kind name from a URL path or a body. Matching is case-sensitive, as Consul's.
     *
     * @return the kind, unchanged
     * @throws PeeringException.InvalidRequest {@code Kind is required in the payload} for a null or empty kind,
     *         {@code Kind "x" is not supported: supported kinds are ...} for any kind we do not store
     */
    public static String requireSupportedKind(String kind) {
        if (kind == null || kind.isEmpty()) {
            throw invalid("Kind is required in the payload");
        }
        if (!KINDS.contains(kind)) {
            throw invalid("Kind " + quote(kind) + " is not supported: supported kinds are exported-services,"
                    + " service-intentions and service-resolver");
        }
        return kind;
    }

    /**
     * Validates a whole entry as Consul's {@code Validate()} for its kind does (Consul's messages, Consul's order
     * of checks). Consul's Enterprise-only checks are not made, except that partitions are honoured: an
     * exported-services entry is named after its partition, and cross-datacenter resolver targets are only
     * allowed in the default partition.
     *
     * @param entry the parsed JSON entry; null counts as an empty object
     * @param partition the local partition the entry is written to; null or empty means {@code default}
     * @throws PeeringException.InvalidRequest with Consul's message text on the first broken rule
     */
    public static void validate(Map<String, Object> entry, String partition) {
        Map<String, Object> e = entry == null ? Map.of() : entry;
        String part = partition == null || partition.isEmpty() ? DEFAULT : partition;
        String kind = requireSupportedKind(string(e, "Kind", "Kind"));
        String name = string(e, "Name", "Name");
        if (name.isEmpty()) {
            throw invalid("Name is required");
        }
        switch (kind) {
            case EXPORTED_SERVICES -> validateExportedServices(e, name, part);
            case SERVICE_INTENTIONS -> validateServiceIntentions(e, name, part);
            default -> validateServiceResolver(e, name, part);
        }
    }

    /**
     * The other services a service-resolver entry sends traffic to (Consul's {@code listRelatedServices}): the
     * Redirect's Service and every Failover's Service and Targets' Service, other than the entry's own name;
     * targets on a peer are left out, since they name the peer's services, not ours. Writing a resolver needs
     * {@code service:read} on each. Empty for other kinds.
     *
     * @param entry a valid entry (see {@link #validate})
     * @return the names, sorted and distinct
     */
    public static List<String> relatedServices(Map<String, Object> entry) {
        Map<String, Object> e = entry == null ? Map.of() : entry;
        if (!SERVICE_RESOLVER.equals(string(e, "Kind", "Kind"))) {
            return List.of();
        }
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

    /**
     * Which peers an exported-services entry exports each service to: service name (possibly {@code *}) to the
     * sorted, distinct names of the consumers that name a {@code Peer} (or the 1.13 alias {@code PeerName}).
     * Services exported only to partitions or sameness groups are left out. Services listed twice (e.g. from two
     * namespaces) are merged. Used to decide what to replicate to which peer.
     *
     * @param entry a valid exported-services entry (see {@link #validate})
     * @return an unmodifiable map ordered by service name
     */
    public static Map<String, List<String>> exportedServicesByPeerConsumer(Map<String, Object> entry) {
        Map<String, TreeSet<String>> peersByService = new TreeMap<>();
        if (entry == null) {
            return Map.of();
        }
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

    // ---- exported-services (agent/structs/config_entry_exports.go) ----

    private static void validateExportedServices(Map<String, Object> e, String name, String partition) {
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

    // ---- service-intentions (agent/structs/config_entry_intentions.go) ----

    private static void validateServiceIntentions(Map<String, Object> e, String name, String partition) {
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

    // ---- service-resolver (agent/structs/config_entry_discoverychain.go) ----

    private static void validateServiceResolver(Map<String, Object> e, String name, String partition) {
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

    // ---- shared ----

    /** Meta as a map of strings (JSON null values become ""), checked by {@link PeeringRules#requireValidMeta}. */
    private static void validateMeta(Map<String, Object> e) {
        Map<String, Object> raw = object(e, "Meta", "Meta");
        if (raw == null) {
            return;
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, Object> pair : raw.entrySet()) {
            Object value = pair.getValue();
            if (value != null && !(value instanceof String)) {
                throw invalid("Meta[" + quote(pair.getKey()) + "] must be a string");
            }
            meta.put(pair.getKey() == null ? "" : pair.getKey(), value == null ? "" : (String) value);
        }
        PeeringRules.requireValidMeta(meta);
    }

    /**
     * The value under {@code key}: an exact key first, else the first key equal to it ignoring case and
     * underscores (Go's decoder matches field names case-insensitively; Consul also accepts snake_case).
     */
    private static Object get(Map<String, Object> map, String key) {
        Object exact = map.get(key);
        if (exact != null) {
            return exact;
        }
        String wanted = fold(key);
        for (Map.Entry<String, Object> pair : map.entrySet()) {
            if (pair.getKey() != null && pair.getValue() != null && fold(pair.getKey()).equals(wanted)) {
                return pair.getValue();
            }
        }
        return null;
    }

    private static String fold(String key) {
        return key.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** A string field; "" when absent or null. */
    private static String string(Map<String, Object> map, String key, String path) {
        Object value = get(map, key);
        if (value == null) {
            return "";
        }
        if (!(value instanceof String s)) {
            throw invalid(path + " must be a string");
        }
        return s;
    }

    /** A list field; empty when absent or null. */
    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> map, String key, String path) {
        Object value = get(map, key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?>)) {
            throw invalid(path + " must be a list");
        }
        return (List<Object>) value;
    }

    /** An object field; null when absent or null. */
    private static Map<String, Object> object(Map<String, Object> map, String key, String path) {
        Object value = get(map, key);
        return value == null ? null : asObject(value, path);
    }

    /** Element {@code i} of a list of objects; a JSON null element counts as an empty object, as in Go. */
    private static Map<String, Object> element(List<Object> list, int i, String listPath) {
        return asObject(list.get(i), listPath + "[" + i + "]");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asObject(Object value, String path) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw invalid(path + " must be an object");
        }
        return (Map<String, Object>) value;
    }

    /** Go's {@code %q} for ordinary strings: double quotes, with backslashes and quotes escaped. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    private static PeeringException.InvalidRequest invalid(String message) {
        return new PeeringException.InvalidRequest(message);
    }
}
