package io.clusterpeering.acl;

import java.util.Locale;

/**
 * An access level, as written in ACL rules ({@code policy = "read"}) and as asked for by a check.
 * Mirrors Consul's {@code acl.AccessLevel}: rules may say {@code deny}, {@code read}, {@code list} (only for
 * {@code key}/{@code key_prefix}) or {@code write}; a check asks for {@code read}, {@code list} or {@code write}.
 */
public enum AccessLevel {
    DENY, READ, LIST, WRITE;

    /** The level as Consul writes it, lower case: {@code "deny"}, {@code "read"}, {@code "list"}, {@code "write"}. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a level case-insensitively, as Consul's {@code AccessLevelFromString} does ({@code "READ"} is read).
     *
     * @throws IllegalArgumentException {@code "<text>" is not a valid access level} for anything else, null included
     */
    public static AccessLevel parse(String text) {
        AccessLevel level = fromWord(text);
        if (level == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid access level");
        }
        return level;
    }

    /** The level for {@code text}, ignoring case, or null when it names none. */
    static AccessLevel fromWord(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "deny" -> DENY;
            case "read" -> READ;
            case "list" -> LIST;
            case "write" -> WRITE;
            default -> null;
        };
    }

    /**
     * Whether a rule at this level grants {@code requested}: write grants read, list and write; list grants read
     * and list; read grants read; deny grants nothing (Consul's {@code enforce}).
     */
    public boolean grants(AccessLevel requested) {
        return switch (this) {
            case WRITE -> true;
            case LIST -> requested == READ || requested == LIST;
            case READ -> requested == READ;
            case DENY -> false;
        };
    }

    /**
     * The level that wins when two rules for the same resource, name and kind are merged: deny over write over
     * list over read (Consul's {@code takesPrecedenceOver}).
     */
    static AccessLevel strongest(AccessLevel a, AccessLevel b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return a.precedence() >= b.precedence() ? a : b;
    }

    private int precedence() {
        return switch (this) {
            case READ -> 1;
            case LIST -> 2;
            case WRITE -> 3;
            case DENY -> 4;
        };
    }
}
