package io.clusterpeering.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reading a config entry as Consul's decoder does, for the per-kind rules ({@link ExportedServicesEntry},
 * {@link ServiceIntentionsEntry}, {@link ServiceResolverEntry}): an entry is parsed JSON (String, Number, Boolean,
 * null, List or Map values); a field is found by its exact PascalCase key first, then ignoring case and underscores
 * (Consul's snake_case aliases); a JSON null counts as absent; a value of the wrong type is a 400 naming the field
 * ({@code <field> must be a string|a list|an object}).
 */
final class ConfigEntryFields {
    static final String WILDCARD = "*";
    static final String DEFAULT = "default";

    private ConfigEntryFields() {
    }


    /** Meta as a map of strings (JSON null values become ""), checked by {@link PeeringRules#requireValidMeta}. */
    static void validateMeta(Map<String, Object> e) {
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
    static Object get(Map<String, Object> map, String key) {
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

    static String fold(String key) {
        return key.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** A string field; "" when absent or null. */
    static String string(Map<String, Object> map, String key, String path) {
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
    static List<Object> list(Map<String, Object> map, String key, String path) {
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
    static Map<String, Object> object(Map<String, Object> map, String key, String path) {
        Object value = get(map, key);
        return value == null ? null : asObject(value, path);
    }

    /** Element {@code i} of a list of objects; a JSON null element counts as an empty object, as in Go. */
    static Map<String, Object> element(List<Object> list, int i, String listPath) {
        return asObject(list.get(i), listPath + "[" + i + "]");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asObject(Object value, String path) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw invalid(path + " must be an object");
        }
        return (Map<String, Object>) value;
    }

    /** Go's {@code %q} for ordinary strings: double quotes, with backslashes and quotes escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\');
            }
            out.append(c);
        }
        return out.append('"').toString();
    }

    static PeeringException.InvalidRequest invalid(String message) {
        return new PeeringException.InvalidRequest(message);
    }
}
