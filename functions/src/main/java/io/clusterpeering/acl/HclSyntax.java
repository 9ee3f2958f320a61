package io.clusterpeering.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A strict parser for the HCL 1 syntax Consul decodes ACL rules with ({@code hashicorp/hcl} v1): items are
 * {@code key = value} or {@code key "label" ... { items }}, separated by newlines, commas or nothing at all
 * ({@code { policy = "read" intentions = "write" }} is one line of valid HCL 1); values are double-quoted
 * strings, numbers, {@code true}/{@code false}, blocks and lists; comments are {@code #}, {@code //} and
 * {@code /* *\/}. It evaluates nothing: {@code ${...}} stays literal text, and functions, variables,
 * expressions and heredocs are syntax errors. Every error names its line and column.
 *
 * <p>Why not a general HCL library: hcl4j 0.9.4 (checked for this package) parses HCL 2, rejects several
 * attributes on one line, silently accepts unclosed blocks and trailing garbage, and evaluates {@code data}
 * blocks (including HTTP requests) while parsing, none of which is acceptable for access rules.
 */
final class HclSyntax {
    private enum Type { LBRACE, RBRACE, LBRACK, RBRACK, ASSIGN, COMMA, IDENT, STRING, NUMBER, EOF }

    private record Token(Type type, String text, int line, int column) {
        String describe() {
            return switch (type) {
                case LBRACE -> "'{'";
                case RBRACE -> "'}'";
                case LBRACK -> "'['";
                case RBRACK -> "']'";
                case ASSIGN -> "'='";
                case COMMA -> "','";
                case IDENT -> "the bare word " + text;
                case STRING -> "the string \"" + text + "\"";
                case NUMBER -> "the number " + text;
                case EOF -> "the end of the rules";
            };
        }
    }

    private static final Pattern NUMBER =
            Pattern.compile("-?(0[xX][0-9a-fA-F]+|[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?)");

    /** Rules need four levels (root, resource, name, rule); the cap keeps hostile nesting from exhausting the stack. */
    static final int MAX_DEPTH = 32;

    private final String source;
    private int depth;
    private int pos;
    private int line = 1;
    private int column = 1;
    private Token current;

    private HclSyntax(String source) {
        this.source = source;
    }

    /**
     * Parses HCL rules into a tree.
     *
     * @throws InvalidRulesException {@code Failed to parse ACL rules: At <line>:<column>: <detail>}
     */
    static RuleNode.Obj parse(String source) {
        HclSyntax parser = new HclSyntax(source);
        parser.advance();
        List<RuleNode.Item> items = parser.objectList(false);
        if (parser.current.type != Type.EOF) {
            throw parser.error(parser.current, "unexpected " + parser.current.describe());
        }
        return new RuleNode.Obj(items, 1, 1);
    }

    // ---- parser ----

    private List<RuleNode.Item> objectList(boolean nested) {
        List<RuleNode.Item> items = new ArrayList<>();
        while (current.type != Type.EOF && !(nested && current.type == Type.RBRACE)) {
            items.add(objectItem());
            if (current.type == Type.COMMA) {
                advance();
            }
        }
        return items;
    }

    private RuleNode.Item objectItem() {
        List<Token> keys = new ArrayList<>();
        while (current.type == Type.IDENT || current.type == Type.STRING) {
            keys.add(current);
            advance();
        }
        if (keys.isEmpty()) {
            throw error(current, "expected a name or a quoted label, found " + current.describe());
        }
        RuleNode value;
        if (current.type == Type.ASSIGN) {
            if (keys.size() > 1) {
                throw error(current, "expected '{' after " + joinKeys(keys) + ", found '='");
            }
            advance();
            value = value();
        } else if (current.type == Type.LBRACE) {
            value = object();
        } else {
            throw error(current, "expected '=' or '{' after " + joinKeys(keys) + ", found " + current.describe());
        }
        // key1 key2 ... keyN { ... }  ==  key1 { key2 { ... keyN { ... } } }
        for (int i = keys.size() - 1; i >= 1; i--) {
            Token key = keys.get(i);
            RuleNode.Item inner = new RuleNode.Item(key.text, value, key.line, key.column);
            value = new RuleNode.Obj(List.of(inner), key.line, key.column);
        }
        Token first = keys.get(0);
        return new RuleNode.Item(first.text, value, first.line, first.column);
    }

    private RuleNode value() {
        Token token = current;
        switch (token.type) {
            case STRING -> {
                advance();
                return new RuleNode.Scalar(RuleNode.Scalar.Kind.STRING, token.text, token.line, token.column);
            }
            case NUMBER -> {
                advance();
                return new RuleNode.Scalar(RuleNode.Scalar.Kind.NUMBER, token.text, token.line, token.column);
            }
            case IDENT -> {
                if (token.text.equals("true") || token.text.equals("false")) {
                    advance();
                    return new RuleNode.Scalar(RuleNode.Scalar.Kind.BOOL, token.text, token.line, token.column);
                }
                throw error(token, "unknown token: the bare word " + token.text
                        + " (values are quoted strings, e.g. \"" + token.text + "\")");
            }
            case LBRACE -> {
                return object();
            }
            case LBRACK -> {
                return list();
            }
            default -> throw error(token, "expected a value, found " + token.describe());
        }
    }

    private RuleNode.Obj object() {
        Token open = current;
        enter(open);
        advance();
        List<RuleNode.Item> items = objectList(true);
        if (current.type != Type.RBRACE) {
            throw error(current, "expected '}' to close the block opened at " + open.line + ":" + open.column
                    + ", found " + current.describe());
        }
        advance();
        depth--;
        return new RuleNode.Obj(items, open.line, open.column);
    }

    private RuleNode.Lst list() {
        Token open = current;
        enter(open);
        advance();
        List<RuleNode> values = new ArrayList<>();
        while (current.type != Type.RBRACK) {
            if (current.type == Type.EOF) {
                throw error(current, "expected ']' to close the list opened at " + open.line + ":" + open.column
                        + ", found " + current.describe());
            }
            values.add(value());
            if (current.type == Type.COMMA) {
                advance();
            } else if (current.type != Type.RBRACK) {
                throw error(current, "expected ',' or ']' in the list opened at " + open.line + ":" + open.column
                        + ", found " + current.describe());
            }
        }
        advance();
        depth--;
        return new RuleNode.Lst(values, open.line, open.column);
    }

    private void enter(Token open) {
        if (++depth > MAX_DEPTH) {
            throw error(open, "blocks and lists nest deeper than " + MAX_DEPTH + " levels");
        }
    }

    private static String joinKeys(List<Token> keys) {
        StringBuilder text = new StringBuilder();
        for (Token key : keys) {
            if (!text.isEmpty()) {
                text.append(' ');
            }
            text.append(key.type == Type.STRING ? "\"" + key.text + "\"" : key.text);
        }
        return text.toString();
    }

    private InvalidRulesException error(Token at, String detail) {
        return InvalidRulesException.at(at.line, at.column, detail);
    }

    // ---- lexer ----

    private void advance() {
        current = nextToken();
    }

    private Token nextToken() {
        skipSpaceAndComments();
        int startLine = line;
        int startColumn = column;
        if (pos >= source.length()) {
            return new Token(Type.EOF, "", startLine, startColumn);
        }
        char c = source.charAt(pos);
        Type single = switch (c) {
            case '{' -> Type.LBRACE;
            case '}' -> Type.RBRACE;
            case '[' -> Type.LBRACK;
            case ']' -> Type.RBRACK;
            case '=' -> Type.ASSIGN;
            case ',' -> Type.COMMA;
            default -> null;
        };
        if (single != null) {
            step();
            return new Token(single, String.valueOf(c), startLine, startColumn);
        }
        if (c == '"') {
            return new Token(Type.STRING, string(startLine, startColumn), startLine, startColumn);
        }
        if (Character.isLetter(c) || c == '_') {
            int start = pos;
            while (pos < source.length() && isIdentPart(source.charAt(pos))) {
                step();
            }
            return new Token(Type.IDENT, source.substring(start, pos), startLine, startColumn);
        }
        if (Character.isDigit(c) || (c == '-' && pos + 1 < source.length() && Character.isDigit(source.charAt(pos + 1)))) {
            int start = pos;
            step();
            while (pos < source.length() && isNumberPart(source.charAt(pos))) {
                step();
            }
            String number = source.substring(start, pos);
            if (!NUMBER.matcher(number).matches()) {
                throw InvalidRulesException.at(startLine, startColumn, "invalid number " + number);
            }
            return new Token(Type.NUMBER, number, startLine, startColumn);
        }
        if (source.startsWith("<<", pos)) {
            throw InvalidRulesException.at(startLine, startColumn,
                    "heredoc strings are not supported in ACL rules; use a quoted string");
        }
        throw InvalidRulesException.at(startLine, startColumn, "illegal character " + quoteChar(c));
    }

    private void skipSpaceAndComments() {
        while (pos < source.length()) {
            char c = source.charAt(pos);
            if (Character.isWhitespace(c)) {
                step();
            } else if (c == '#' || source.startsWith("//", pos)) {
                while (pos < source.length() && source.charAt(pos) != '\n') {
                    step();
                }
            } else if (source.startsWith("/*", pos)) {
                int startLine = line;
                int startColumn = column;
                step();
                step();
                while (!source.startsWith("*/", pos)) {
                    if (pos >= source.length()) {
                        throw InvalidRulesException.at(startLine, startColumn, "comment not terminated");
                    }
                    step();
                }
                step();
                step();
            } else {
                return;
            }
        }
    }

    /** A double-quoted string with Go's escapes (HCL 1 unquotes with {@code strconv.Unquote} rules). */
    private String string(int startLine, int startColumn) {
        step(); // opening quote
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= source.length() || source.charAt(pos) == '\n') {
                throw InvalidRulesException.at(startLine, startColumn, "literal not terminated (a string must close on its line)");
            }
            char c = source.charAt(pos);
            if (c == '"') {
                step();
                return value.toString();
            }
            if (c != '\\') {
                value.append(c);
                step();
                continue;
            }
            int escLine = line;
            int escColumn = column;
            step();
            if (pos >= source.length()) {
                throw InvalidRulesException.at(startLine, startColumn, "literal not terminated");
            }
            char e = source.charAt(pos);
            step();
            switch (e) {
                case '"' -> value.append('"');
                case '\\' -> value.append('\\');
                case 'n' -> value.append('\n');
                case 't' -> value.append('\t');
                case 'r' -> value.append('\r');
                case 'a' -> value.append('\u0007');
                case 'b' -> value.append('\b');
                case 'f' -> value.append('\f');
                case 'v' -> value.append('\u000b');
                case 'x' -> value.appendCodePoint(hexDigits(2, escLine, escColumn));
                case 'u' -> value.appendCodePoint(hexDigits(4, escLine, escColumn));
                case 'U' -> value.appendCodePoint(hexDigits(8, escLine, escColumn));
                default -> throw InvalidRulesException.at(escLine, escColumn, "unknown escape sequence \\" + e);
            }
        }
    }

    private int hexDigits(int count, int escLine, int escColumn) {
        if (pos + count > source.length()) {
            throw InvalidRulesException.at(escLine, escColumn, "escape sequence is too short");
        }
        String digits = source.substring(pos, pos + count);
        int value;
        try {
            value = Integer.parseUnsignedInt(digits, 16);
        } catch (NumberFormatException e) {
            throw InvalidRulesException.at(escLine, escColumn, "invalid escape sequence: \"" + digits + "\" is not hexadecimal");
        }
        if (!Character.isValidCodePoint(value) || (value >= 0xD800 && value <= 0xDFFF)) {
            throw InvalidRulesException.at(escLine, escColumn, "escape sequence is an invalid Unicode code point");
        }
        for (int i = 0; i < count; i++) {
            step();
        }
        return value;
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
    }

    private static boolean isNumberPart(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '+' || c == '-';
    }

    private static String quoteChar(char c) {
        return Character.isISOControl(c) ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }

    private void step() {
        if (source.charAt(pos) == '\n') {
            line++;
            column = 1;
        } else {
            column++;
        }
        pos++;
    }
}
