package io.clusterpeering.domain;

import java.util.List;
import java.util.Map;


/**
 * Consul's validation of the three config entry kinds this project stores ({@code exported-services},
 * {@code service-intentions}, {@code service-resolver}), with Consul's message texts: the kind and name here, the
 * rules of each kind in its own class ({@link ExportedServicesEntry}, {@link ServiceIntentionsEntry},
 * {@link ServiceResolverEntry}), fields read by {@link ConfigEntryFields}. Entries arrive as parsed
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
            throw ConfigEntryFields.invalid("Kind is required in the payload");
        }
        if (!KINDS.contains(kind)) {
            throw ConfigEntryFields.invalid("Kind " + ConfigEntryFields.quote(kind) + " is not supported: supported kinds are exported-services,"
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
        String part = partition == null || partition.isEmpty() ? ConfigEntryFields.DEFAULT : partition;
        String kind = requireSupportedKind(ConfigEntryFields.string(e, "Kind", "Kind"));
        String name = ConfigEntryFields.string(e, "Name", "Name");
        if (name.isEmpty()) {
            throw ConfigEntryFields.invalid("Name is required");
        }
        switch (kind) {
            case EXPORTED_SERVICES -> ExportedServicesEntry.validate(e, name, part);
            case SERVICE_INTENTIONS -> ServiceIntentionsEntry.validate(e, name, part);
            default -> ServiceResolverEntry.validate(e, name, part);
        }
    }

    /**
     * The other services a service-resolver entry sends traffic to (Consul's {@code listRelatedServices}); empty for
     * other kinds. See {@link ServiceResolverEntry#relatedServices}.
     *
     * @param entry a valid entry (see {@link #validate})
     * @return the names, sorted and distinct
     */
    public static List<String> relatedServices(Map<String, Object> entry) {
        Map<String, Object> e = entry == null ? Map.of() : entry;
        return SERVICE_RESOLVER.equals(ConfigEntryFields.string(e, "Kind", "Kind"))
                ? ServiceResolverEntry.relatedServices(e) : List.of();
    }

    /**
     * Which peers an exported-services entry exports each service to. See
     * {@link ExportedServicesEntry#peersByService}.
     *
     * @param entry a valid exported-services entry (see {@link #validate})
     * @return an unmodifiable map ordered by service name
     */
    public static Map<String, List<String>> exportedServicesByPeerConsumer(Map<String, Object> entry) {
        return entry == null ? Map.of() : ExportedServicesEntry.peersByService(entry);
    }
}
