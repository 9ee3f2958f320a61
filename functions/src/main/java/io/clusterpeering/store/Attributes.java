package io.clusterpeering.store;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between Java values and DynamoDB attribute values, shared by the store classes. */
final class Attributes {
    private Attributes() {
    }

    /** Expression attribute names from pairs: {@code names("#id", ID, "#state", STATE)}. */
    static Map<String, String> names(String... pairs) {
        Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** A list attribute; null is the empty list. */
    static AttributeValue list(List<String> values) {
        return AttributeValue.fromL(values == null ? List.of() : values.stream().map(AttributeValue::fromS).toList());
    }

    /** A map attribute; null is the empty map, a null value the empty string. */
    static AttributeValue map(Map<String, String> values) {
        Map<String, AttributeValue> converted = new LinkedHashMap<>();
        if (values != null) {
            values.forEach((k, v) -> converted.put(k, AttributeValue.fromS(v == null ? "" : v)));
        }
        return AttributeValue.fromM(converted);
    }

    static AttributeValue instant(Instant value) {
        return AttributeValue.fromS(value.toString());
    }

    /** Puts the value under the name unless it is null. */
    static void putIfPresent(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    static void putIfPresent(Map<String, AttributeValue> item, String name, Instant value) {
        if (value != null) {
            item.put(name, instant(value));
        }
    }

    static String string(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    static long number(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || value.n() == null ? 0L : Long.parseLong(value.n());
    }

    static Instant instant(Map<String, AttributeValue> item, String name) {
        String value = string(item, name);
        return value == null ? null : Instant.parse(value);
    }

    static List<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null || !value.hasL() ? List.of() : value.l().stream().map(AttributeValue::s).toList();
    }

    static Map<String, String> stringMap(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        if (value == null || !value.hasM()) {
            return Map.of();
        }
        Map<String, String> result = new LinkedHashMap<>();
        value.m().forEach((k, v) -> result.put(k, v.s()));
        return result;
    }
}
