package io.clusterpeering.acl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the JSON form of ACL rules (Consul's HCL decoder takes JSON when the text starts with '{') into the same
 * tree as {@link HclSyntax}, with Jackson's streaming parser so every node keeps its line and column. Duplicate
 * keys are kept here and judged by the decoder, so both syntaxes report them alike.
 */
final class JsonSyntax {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;\\]]*; ");

    private JsonSyntax() {
    }

    /**
     * Parses one JSON object and nothing after it.
     *
     * @throws InvalidRulesException {@code Failed to parse ACL rules: At <line>:<column>: <Jackson's detail>}
     */
    static RuleNode.Obj parse(String source) {
        try (JsonParser parser = FACTORY.createParser(source)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                JsonLocation at = parser.currentTokenLocation();
                throw InvalidRulesException.at(line(at), column(at), "JSON rules must be one object");
            }
            RuleNode.Obj root = object(parser, 1);
            if (parser.nextToken() != null) {
                JsonLocation at = parser.currentTokenLocation();
                throw InvalidRulesException.at(line(at), column(at), "unexpected content after the JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int line = at == null ? 1 : line(at);
            int column = at == null ? 1 : column(at);
            throw InvalidRulesException.at(line, column, withoutSource(e.getOriginalMessage()));
        } catch (IOException e) {
            // Reading from a String does not fail with plain I/O errors; keep the contract anyway.
            throw InvalidRulesException.at(1, 1, String.valueOf(e.getMessage()));
        }
    }

    /** Reads the object whose START_OBJECT is the current token. */
    private static RuleNode.Obj object(JsonParser parser, int depth) throws IOException {
        JsonLocation open = parser.currentTokenLocation();
        checkDepth(open, depth);
        List<RuleNode.Item> items = new ArrayList<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            JsonLocation keyAt = parser.currentTokenLocation();
            String key = parser.currentName();
            parser.nextToken();
            items.add(new RuleNode.Item(key, value(parser, depth), line(keyAt), column(keyAt)));
        }
        return new RuleNode.Obj(items, line(open), column(open));
    }

    private static RuleNode value(JsonParser parser, int depth) throws IOException {
        JsonLocation at = parser.currentTokenLocation();
        int line = line(at);
        int column = column(at);
        JsonToken token = parser.currentToken();
        return switch (token) {
            case START_OBJECT -> object(parser, depth + 1);
            case START_ARRAY -> {
                checkDepth(at, depth + 1);
                List<RuleNode> values = new ArrayList<>();
                while (parser.nextToken() != JsonToken.END_ARRAY) {
                    values.add(value(parser, depth + 1));
                }
                yield new RuleNode.Lst(values, line, column);
            }
            case VALUE_STRING -> new RuleNode.Scalar(RuleNode.Scalar.Kind.STRING, parser.getText(), line, column);
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT ->
                    new RuleNode.Scalar(RuleNode.Scalar.Kind.NUMBER, parser.getText(), line, column);
            case VALUE_TRUE, VALUE_FALSE -> new RuleNode.Scalar(RuleNode.Scalar.Kind.BOOL, parser.getText(), line, column);
            case VALUE_NULL -> new RuleNode.Scalar(RuleNode.Scalar.Kind.NULL, "null", line, column);
            default -> throw InvalidRulesException.at(line, column, "unexpected JSON token " + token);
        };
    }

    private static void checkDepth(JsonLocation at, int depth) {
        if (depth > HclSyntax.MAX_DEPTH) {
            throw InvalidRulesException.at(line(at), column(at),
                    "objects and arrays nest deeper than " + HclSyntax.MAX_DEPTH + " levels");
        }
    }

    /** Jackson's nested locations read "[Source: REDACTED (...); line: 1, column: 21]"; keep "[line: 1, column: 21]". */
    private static String withoutSource(String message) {
        return message == null ? "invalid JSON" : SOURCE.matcher(message).replaceAll("[");
    }

    private static int line(JsonLocation at) {
        return Math.max(1, at.getLineNr());
    }

    private static int column(JsonLocation at) {
        return Math.max(1, at.getColumnNr());
    }
}
