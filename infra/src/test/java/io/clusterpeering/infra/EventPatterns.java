package io.clusterpeering.infra;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Lambda's event filtering ({@code FilterCriteria} of an event source mapping): each filter is an EventBridge-style
 * pattern, and a record goes to the function when any filter matches it. Implemented: nested objects, lists of
 * literal values (strings, numbers, booleans, null), and the operators {@code prefix}, {@code anything-but} (a value
 * or a list of values) and {@code exists}. Any other operator is refused, so a filter the emulation would misread
 * fails the test instead of letting records through.
 */
final class EventPatterns {
    private EventPatterns() {
    }

    /**
     * Checks that every matcher of a pattern is one this class implements, before any record is filtered.
     *
     * @throws IllegalArgumentException naming the first matcher that is not
     */
    static void validate(JsonNode pattern) {
        if (!pattern.isObject()) {
            throw new IllegalArgumentException("a pattern is an object: " + pattern);
        }
        pattern.fields().forEachRemaining(field -> {
            JsonNode rule = field.getValue();
            if (rule.isObject()) {
                validate(rule);
            } else if (rule.isArray()) {
                for (JsonNode matcher : rule) {
                    if (matcher.isObject()) {
                        operator(matcher, null);
                    } else if (matcher.isArray()) {
                        throw new IllegalArgumentException("a matcher is a value or an operator: " + field);
                    }
                }
            } else {
                throw new IllegalArgumentException("a pattern's leaf is a list of matchers: " + field);
            }
        });
    }

    /** Whether a record passes: no filters, or one that matches. */
    static boolean matchesAny(List<JsonNode> filters, JsonNode record) {
        if (filters.isEmpty()) {
            return true;
        }
        for (JsonNode filter : filters) {
            if (matches(filter, record)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one pattern matches a record. */
    static boolean matches(JsonNode pattern, JsonNode record) {
        if (!pattern.isObject()) {
            throw new IllegalArgumentException("a pattern is an object: " + pattern);
        }
        Iterator<Map.Entry<String, JsonNode>> fields = pattern.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = record == null || record.isMissingNode() ? null : record.get(field.getKey());
            JsonNode rule = field.getValue();
            if (rule.isObject()) {
                // A missing object still reaches its leaves, where only {"exists": false} matches nothing.
                if (!matches(rule, value != null && value.isObject() ? value : com.fasterxml.jackson.databind.node.MissingNode.getInstance())) {
                    return false;
                }
            } else if (rule.isArray()) {
                if (!leaf(rule, value)) {
                    return false;
                }
            } else {
                throw new IllegalArgumentException("a pattern's leaf is a list of matchers: " + field);
            }
        }
        return true;
    }

    private static boolean leaf(JsonNode matchers, JsonNode value) {
        for (JsonNode matcher : matchers) {
            if (matcher.isObject()) {
                if (operator(matcher, value)) {
                    return true;
                }
            } else if (value != null && (value.isArray() ? contains(value, matcher) : equal(matcher, value))) {
                return true;
            }
        }
        return false;
    }

    private static boolean operator(JsonNode matcher, JsonNode value) {
        if (matcher.size() != 1) {
            throw new IllegalArgumentException("one operator per matcher: " + matcher);
        }
        String name = matcher.fieldNames().next();
        JsonNode argument = matcher.get(name);
        switch (name) {
            case "prefix":
                if (!argument.isTextual()) {
                    throw new IllegalArgumentException("prefix takes a string: " + matcher);
                }
                return value != null && value.isTextual() && value.asText().startsWith(argument.asText());
            case "anything-but": {
                List<JsonNode> excluded = new java.util.ArrayList<>();
                (argument.isArray() ? argument : List.of(argument)).forEach(excluded::add);
                for (JsonNode e : excluded) {
                    if (e.isObject() || e.isArray()) {
                        throw new IllegalArgumentException("anything-but with an operator is not emulated: " + matcher);
                    }
                }
                return value != null && excluded.stream().noneMatch(e -> equal(e, value));
            }
            case "exists":
                if (!argument.isBoolean()) {
                    throw new IllegalArgumentException("exists takes a boolean: " + matcher);
                }
                return argument.asBoolean() == (value != null && !value.isNull());
            default:
                throw new IllegalArgumentException("filter operator '" + name + "' is not emulated: " + matcher);
        }
    }

    private static boolean contains(JsonNode values, JsonNode matcher) {
        for (JsonNode value : values) {
            if (equal(matcher, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean equal(JsonNode matcher, JsonNode value) {
        if (matcher.isNumber() && value.isNumber()) {
            return matcher.decimalValue().compareTo(value.decimalValue()) == 0;
        }
        return matcher.equals(value);
    }
}
