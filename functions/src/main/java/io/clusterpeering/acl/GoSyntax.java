package io.clusterpeering.acl;

/**
 * Go's quoting of strings ({@code strconv.Quote}, which {@code %#v} uses), so that texts Consul builds with
 * {@code %#v} read the same here: {@code "admin"}, {@code "a\"b"}, {@code "tab\there"}, {@code "\x00"}.
 */
final class GoSyntax {
    private GoSyntax() {
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        text.codePoints().forEach(c -> {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case 0x07 -> quoted.append("\\a");
                case '\b' -> quoted.append("\\b");
                case '\f' -> quoted.append("\\f");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                case 0x0b -> quoted.append("\\v");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        quoted.append(String.format("\\x%02x", c));
                    } else if (isPrintable(c)) {
                        quoted.appendCodePoint(c);
                    } else if (c <= 0xffff) {
                        quoted.append(String.format("\\u%04x", c));
                    } else {
                        quoted.append(String.format("\\U%08x", c));
                    }
                }
            }
        });
        return quoted.append('"').toString();
    }

    /** Close to Go's {@code strconv.IsPrint}: letters, marks, numbers, punctuation, symbols and the ASCII space. */
    private static boolean isPrintable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE,
                    Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }
}
