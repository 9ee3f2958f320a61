package io.clusterpeering.domain;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Consul's input rules for peer names, partitions and Meta, with Consul's message texts prefixed by the
 * field they concern. Each method throws {@link PeeringException.InvalidRequest} (HTTP 400) on the first
 * rule broken.
 */
public final class PeeringRules {
    /** Consul 1.14+: a lower-case DNS label of at most 63 characters. */
    private static final Pattern PEER_NAME = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
    private static final Pattern PARTITION = Pattern.compile("^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$");
    private static final Pattern META_KEY = Pattern.compile("^[a-zA-Z0-9_-]+$");
    static final int MAX_META_PAIRS = 64;
    static final int MAX_META_KEY_LENGTH = 128;
    static final int MAX_META_VALUE_LENGTH = 512;
    private static final String RESERVED_META_PREFIX = "consul-";

    private PeeringRules() {
    }

    /**
     * Checks a peer name against Consul's rule.
     *
     * @param name the name as the user sent it
     * @throws PeeringException.InvalidRequest naming {@code PeerName} when the name breaks the rule
     */
    public static void requireValidPeerName(String name) {
        if (name == null || !PEER_NAME.matcher(name).matches()) {
            throw new PeeringException.InvalidRequest("PeerName: " + name + " is not a valid peer name: a valid peering"
                    + " name must consist of lower case alphanumeric characters or '-', and must start and end with"
                    + " an alphanumeric character (at most 63 characters)");
        }
    }

    /** Whether a (lower-cased) name could name a peering at all; a lookup of any other name finds nothing. */
    public static boolean isValidPeerName(String name) {
        return name != null && PEER_NAME.matcher(name).matches();
    }

    /**
     * Meta as Go decodes it: a JSON {@code null} value becomes the empty string.
     *
     * @return a copy without null values, or null when {@code meta} is null
     */
    public static Map<String, String> metaWithoutNulls(Map<String, String> meta) {
        if (meta == null) {
            return null;
        }
        Map<String, String> copy = new java.util.LinkedHashMap<>();
        meta.forEach((k, v) -> copy.put(k == null ? "" : k, v == null ? "" : v));
        return copy;
    }

    /**
     * Checks a partition name (a DNS label of at most 63 characters).
     *
     * @throws PeeringException.InvalidRequest naming {@code Partition} when it is malformed
     */
    public static void requireValidPartition(String partition) {
        if (partition != null && !partition.isEmpty() && !PARTITION.matcher(partition).matches()) {
            throw new PeeringException.InvalidRequest("Partition: \"" + partition + "\" is not a valid partition name:"
                    + " it must consist of alphanumeric characters or '-', start and end with an alphanumeric"
                    + " character, and be at most 63 characters long");
        }
    }

    /**
     * Checks Meta as Consul's {@code ValidateMetaTags} does: at most 64 pairs, keys of letters, digits, '_' and
     * '-' up to 128 characters, values up to 512 characters, no key starting with {@code consul-}.
     *
     * @param meta the metadata, possibly null
     * @throws PeeringException.InvalidRequest with Consul's {@code meta tags failed validation: ...} text
     */
    public static void requireValidMeta(Map<String, String> meta) {
        if (meta == null) {
            return;
        }
        if (meta.size() > MAX_META_PAIRS) {
            throw metaFailure("Node metadata cannot contain more than " + MAX_META_PAIRS + " key/value pairs");
        }
        for (Map.Entry<String, String> pair : meta.entrySet()) {
            String key = pair.getKey();
            String value = pair.getValue() == null ? "" : pair.getValue();
            String problem = null;
            if (key.isEmpty()) {
                problem = "Key cannot be blank";
            } else if (!META_KEY.matcher(key).matches()) {
                problem = "Key contains invalid characters";
            } else if (key.length() > MAX_META_KEY_LENGTH) {
                problem = "Key is too long (limit: " + MAX_META_KEY_LENGTH + " characters)";
            } else if (key.startsWith(RESERVED_META_PREFIX)) {
                problem = "Key prefix '" + RESERVED_META_PREFIX + "' is reserved for internal use";
            } else if (value.length() > MAX_META_VALUE_LENGTH) {
                problem = "Value is too long (limit: " + MAX_META_VALUE_LENGTH + " characters)";
            }
            if (problem != null) {
                throw metaFailure("Couldn't load metadata pair ('" + key + "', '" + value + "'): " + problem);
            }
        }
    }

    private static PeeringException.InvalidRequest metaFailure(String detail) {
        return new PeeringException.InvalidRequest("Meta: meta tags failed validation: " + detail);
    }
}
