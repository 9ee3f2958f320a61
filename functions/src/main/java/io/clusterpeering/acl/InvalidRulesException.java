package io.clusterpeering.acl;

import java.util.OptionalInt;

/**
 * ACL rules that cannot be used, with Consul's message text: syntax errors read
 * {@code Failed to parse ACL rules: At <line>:<column>: <detail>} (every syntax error names its line), a bad
 * level reads {@code Invalid <rule> policy: <value as Go's %#v prints it>}, e.g.
 * {@code Invalid peering policy: "admin"}. Consul answers these from {@code PUT /v1/acl/policy} as plain-text
 * errors (HTTP 500 in Consul; the project may map them to 400).
 */
public final class InvalidRulesException extends RuntimeException {
    private final Integer line;
    private final Integer column;

    InvalidRulesException(String message, Integer line, Integer column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /** A syntax or structure error at a position: {@code Failed to parse ACL rules: At <line>:<column>: <detail>}. */
    static InvalidRulesException at(int line, int column, String detail) {
        return new InvalidRulesException("Failed to parse ACL rules: At " + line + ":" + column + ": " + detail, line, column);
    }

    /** A rule whose level is not valid for it, with Consul's exact text. */
    static InvalidRulesException invalidLevel(String message, int line, int column) {
        return new InvalidRulesException(message, line, column);
    }

    /** The 1-based line of the offending text, when known. */
    public OptionalInt line() {
        return line == null ? OptionalInt.empty() : OptionalInt.of(line);
    }

    /** The 1-based column of the offending text, when known. */
    public OptionalInt column() {
        return column == null ? OptionalInt.empty() : OptionalInt.of(column);
    }
}
