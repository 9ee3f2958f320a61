package io.clusterpeering.acl;

import java.util.Locale;

/**
 * The resources an ACL check can be about, named as Consul names them in denial texts ({@code acl agent event
 * intention key keyring node operator mesh query service session peering}; note the singular {@code intention}).
 *
 * <p>Unlabelled resources ({@code acl}, {@code operator}, {@code peering}, {@code mesh}, {@code keyring}) have one
 * rule per policy ({@code peering = "write"}). Labelled ones have rules per name, exact ({@code service "web"})
 * or by prefix ({@code service_prefix "we"}). {@link #INTENTION} has no rule words of its own: the
 * {@code intentions} field of {@code service}/{@code service_prefix} rules governs it.
 */
public enum Resource {
    ACL(false),
    AGENT(true),
    EVENT(true),
    INTENTION(true),
    KEY(true),
    KEYRING(false),
    MESH(false),
    NODE(true),
    OPERATOR(false),
    PEERING(false),
    QUERY(true),
    SERVICE(true),
    SESSION(true);

    private final boolean labelled;

    Resource(boolean labelled) {
        this.labelled = labelled;
    }

    /** The word in Consul's denial texts: {@code "peering"}, {@code "service"}, {@code "intention"}, ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether checks on this resource name something (a service, a node, a key, ...). */
    public boolean labelled() {
        return labelled;
    }

    /** Whether rules for this resource may use the {@code list} level (only {@code key}/{@code key_prefix}). */
    public boolean allowsList() {
        return this == KEY;
    }

    /** Whether policies write rules for this resource directly (every resource but {@link #INTENTION}). */
    boolean hasOwnRules() {
        return this != INTENTION;
    }
}
