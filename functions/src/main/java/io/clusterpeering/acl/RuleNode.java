package io.clusterpeering.acl;

import java.util.List;

/**
 * The syntax tree both rule syntaxes (HCL and JSON) parse into, with 1-based positions for messages. An HCL
 * item with several keys ({@code service "web" { ... }}) is stored as nested single-key objects, as HCL's own
 * decoder sees it, so HCL and JSON decode the same way.
 */
sealed interface RuleNode {
    int line();

    int column();

    /** What the node is, for messages: "a string", "a block", ... */
    String describe();

    /** {@code { key = value ... }}, or a JSON object. */
    record Obj(List<Item> items, int line, int column) implements RuleNode {
        @Override
        public String describe() {
            return "a block";
        }
    }

    /** One {@code key = value} or {@code key { ... }} entry; positioned at its key. */
    record Item(String key, RuleNode value, int line, int column) {
        /** Whether HCL would call this an argument (a value assigned) rather than a block. */
        boolean isArgument() {
            return !(value instanceof Obj);
        }
    }

    /** {@code [ a, b ]}. */
    record Lst(List<RuleNode> values, int line, int column) implements RuleNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    /** A string, number, boolean or JSON null; {@code text} is the string, the number as written, or the word. */
    record Scalar(Kind kind, String text, int line, int column) implements RuleNode {
        enum Kind { STRING, NUMBER, BOOL, NULL }

        @Override
        public String describe() {
            return switch (kind) {
                case STRING -> "a string";
                case NUMBER -> "a number";
                case BOOL -> "a boolean";
                case NULL -> "null";
            };
        }
    }
}
