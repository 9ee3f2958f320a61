package io.clusterpeering.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Compares what a command printed with what the README shows, by shape rather than by value where values are
 * bound to change between runs: JSON must have the same keys in the same order, the same array lengths, the
 * same types (a {@code null} where a time is shown is a difference), and the same strings and booleans once
 * IDs, times, certificates, tokens, SHA-256 hashes and measured milliseconds are masked; numbers (indexes, ports) compare by type only. Text compares
 * line by line after the same masking.
 */
public final class OutputShapes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern TIME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
    private static final Pattern TOKEN = Pattern.compile("eyJ[A-Za-z0-9_.\\-]*(\\.\\.\\.)?");
    /** A SHA-256 in base64 (an ACL token's or policy's {@code Hash}): it covers random IDs. */
    private static final Pattern HASH = Pattern.compile("[A-Za-z0-9+/]{43}=");
    /** A measured clock skew: its size and its sign change from run to run. */
    private static final Pattern SKEW = Pattern.compile("\\d+ ms (?:ahead of|behind)");
    /** A measured duration in milliseconds, in a sentence ("in 7 ms", "± 517 ms"). */
    private static final Pattern MILLIS = Pattern.compile("\\b\\d+ ms\\b");

    private OutputShapes() {
    }

    /**
     * The differences between an expected and an actual output, empty when they match.
     *
     * @param expected the README's block
     * @param actual   what the command printed
     */
    public static List<String> differences(String expected, String actual) {
        List<String> differences = new ArrayList<>();
        JsonNode expectedJson = json(expected);
        if (expectedJson != null) {
            JsonNode actualJson = json(actual);
            if (actualJson == null) {
                differences.add("expected JSON, got: " + actual);
            } else {
                compare("$", expectedJson, actualJson, differences);
            }
            return differences;
        }
        List<String> want = expected.strip().lines().map(OutputShapes::maskText).map(String::stripTrailing).toList();
        List<String> got = actual.strip().lines().map(OutputShapes::maskText).map(String::stripTrailing).toList();
        if (!want.equals(got)) {
            differences.add("expected text:\n" + expected.strip() + "\ngot:\n" + actual.strip());
        }
        return differences;
    }

    private static void compare(String path, JsonNode expected, JsonNode actual, List<String> differences) {
        if (expected.getNodeType() != actual.getNodeType()) {
            differences.add(path + ": expected " + describe(expected) + ", got " + describe(actual));
            return;
        }
        if (expected.isObject()) {
            List<String> want = new ArrayList<>();
            expected.fieldNames().forEachRemaining(want::add);
            List<String> got = new ArrayList<>();
            actual.fieldNames().forEachRemaining(got::add);
            if (!want.equals(got)) {
                differences.add(path + ": expected fields " + want + ", got " + got);
                return;
            }
            for (String field : want) {
                compare(path + "." + field, expected.get(field), actual.get(field), differences);
            }
        } else if (expected.isArray()) {
            if (expected.size() != actual.size()) {
                differences.add(path + ": expected " + expected.size() + " elements, got " + actual.size() + ": " + actual);
                return;
            }
            Iterator<JsonNode> got = actual.elements();
            int i = 0;
            for (JsonNode element : expected) {
                compare(path + "[" + i++ + "]", element, got.next(), differences);
            }
        } else if (expected.isTextual()) {
            if (!maskString(expected.asText()).equals(maskString(actual.asText()))) {
                differences.add(path + ": expected \"" + expected.asText() + "\", got \"" + actual.asText() + "\"");
            }
        } else if (expected.isNumber()) {
            if (expected.isIntegralNumber() != actual.isIntegralNumber()) {
                differences.add(path + ": expected " + expected + ", got " + actual);
            }
        } else if (!expected.equals(actual)) {
            differences.add(path + ": expected " + expected + ", got " + actual);
        }
    }

    private static String describe(JsonNode node) {
        String text = node.toString();
        return node.getNodeType().name().toLowerCase() + " " + (text.length() > 80 ? text.substring(0, 80) + "..." : text);
    }

    /** A whole certificate or token string is one masked value; IDs and times inside strings are masked. */
    private static String maskString(String value) {
        if (value.startsWith("-----BEGIN ")) {
            return "<pem>";
        }
        return maskText(value);
    }

    private static String maskText(String text) {
        String masked = TOKEN.matcher(text).replaceAll("<token>");
        masked = UUID.matcher(masked).replaceAll("<uuid>");
        masked = HASH.matcher(masked).replaceAll("<hash>");
        masked = SKEW.matcher(masked).replaceAll("<skew>");
        masked = MILLIS.matcher(masked).replaceAll("<millis>");
        return TIME.matcher(masked).replaceAll("<time>");
    }

    private static JsonNode json(String text) {
        String trimmed = text.strip();
        if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) {
            return null;
        }
        try {
            return JSON.readTree(trimmed);
        } catch (IOException e) {
            return null;
        }
    }
}
