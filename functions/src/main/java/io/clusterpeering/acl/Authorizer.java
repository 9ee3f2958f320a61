package io.clusterpeering.acl;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides ACL checks for one token: its merged policies, then the agent's {@code default_policy}, as Consul's
 * chained authorizer does ({@code acl/policy_authorizer.go} then {@code acl/static_authorizer.go}). Immutable
 * and thread-safe; build one per resolved token.
 *
 * <p>Each check is first decided by the rules, three-valued: allow, deny, or no decision. Only no decision falls
 * through to the default policy; {@code default_policy = "allow"} then allows everything except {@code acl:read}
 * and {@code acl:write}, which only an {@code acl} rule can grant.
 *
 * <ul>
 *   <li>Labelled resources: the exact rule for the name wins; else the longest prefix rule that is a prefix of
 *       the name ({@code ""} matches every name); else no decision. An exact rule for another name never applies.</li>
 *   <li>Enforcement: write grants read, list and write; list grants read and list; read grants read; deny denies
 *       all.</li>
 *   <li>{@code peering} and {@code mesh}: their own rule if the policies have one at any level (deny included);
 *       only without one, {@code operator} at the same level; then the default policy. Denials still name
 *       {@code peering}/{@code mesh} (the caller passes the original {@link Permission} to {@link Denials}).</li>
 *   <li>{@code intention} on a name: the {@code intentions} level of the service rule that applies to the name;
 *       a service rule without {@code intentions} gives read (policy read or write) or deny (policy deny).
 *       On the name {@code *}: read needs any intention rule granting read, write needs every one granting write
 *       (Consul's wildcard-destination handling).</li>
 * </ul>
 */
public final class Authorizer {
    /** A three-valued decision of the rules alone, before the default policy (Consul's EnforcementDecision). */
    enum Decision { ALLOW, DENY, DEFAULT }

    private static final Authorizer ALLOW_ALL = new Authorizer(PolicyRules.EMPTY, true, true);

    private final PolicyRules rules;
    private final boolean defaultAllow;
    private final boolean manageAll;
    /** Exact and prefix rules per labelled resource, intentions already derived from service rules. */
    private final Map<Resource, Map<String, AccessLevel>> exact = new EnumMap<>(Resource.class);
    private final Map<Resource, Map<String, AccessLevel>> prefix = new EnumMap<>(Resource.class);

    private Authorizer(PolicyRules rules, boolean defaultAllow, boolean manageAll) {
        this.rules = rules;
        this.defaultAllow = defaultAllow;
        this.manageAll = manageAll;
        for (Resource resource : Resource.values()) {
            if (resource.labelled() && resource.hasOwnRules()) {
                exact.put(resource, rules.exactRules(resource));
                prefix.put(resource, rules.prefixRules(resource));
            }
        }
        exact.put(Resource.INTENTION, intentions(rules.exactRules(Resource.SERVICE), rules.exactRules(Resource.INTENTION)));
        prefix.put(Resource.INTENTION, intentions(rules.prefixRules(Resource.SERVICE), rules.prefixRules(Resource.INTENTION)));
    }

    /**
     * An authorizer for a token whose policies hold {@code policies} (already filtered to this datacenter),
     * over the agent's default policy.
     *
     * @param policies     the parsed rules of every policy that applies to the token (its policies, its roles'
     *                     policies, its identities' synthesised policies); merged here; may be empty
     * @param defaultAllow {@code true} for {@code default_policy = "allow"}, {@code false} for {@code "deny"}
     */
    public static Authorizer of(List<PolicyRules> policies, boolean defaultAllow) {
        Objects.requireNonNull(policies, "policies");
        return new Authorizer(PolicyRules.merge(policies), defaultAllow, false);
    }

    /**
     * Allows every check, {@code acl:read} and {@code acl:write} included: what Consul uses when ACLs are disabled
     * ({@code acl.ManageAll()}).
     */
    public static Authorizer allowAll() {
        return ALLOW_ALL;
    }

    /** Whether the token may do what {@code permission} names (rules first, then the default policy). */
    public boolean allowed(Permission permission) {
        Objects.requireNonNull(permission, "permission");
        if (manageAll) {
            return true;
        }
        return resolve(decide(permission), permission.resource());
    }

    /**
     * Whether the token may read every service (Consul's {@code ServiceReadAll}): the {@code service_prefix ""}
     * rule grants read and no other service rule denies it. Any service rule that does not grant read makes it
     * false even under default allow; no denying rule and no {@code ""} prefix rule leave it to the default
     * policy. Denial text: {@link Permission#ALL_SERVICES_READ}.
     */
    public boolean serviceReadAll() {
        return manageAll || resolve(allAllowed(Resource.SERVICE, AccessLevel.READ), Resource.SERVICE);
    }

    /** As {@link #serviceReadAll()}, for nodes ({@code node_prefix ""}). Denial text: {@link Permission#ALL_NODES_READ}. */
    public boolean nodeReadAll() {
        return manageAll || resolve(allAllowed(Resource.NODE, AccessLevel.READ), Resource.NODE);
    }

    /**
     * Whether the token may write some service (Consul's {@code ServiceWriteAny}): true when any service rule,
     * exact or prefix, grants write; false when none does but a {@code service_prefix ""} rule exists; otherwise
     * the default policy. Denial text: {@link Permission#ANY_SERVICE_WRITE}.
     */
    public boolean serviceWriteAny() {
        return manageAll || resolve(anyAllowed(Resource.SERVICE, AccessLevel.WRITE), Resource.SERVICE);
    }

    /**
     * Whether the token may read service instances imported from a peer (a {@code ?peer=} read). Consul ignores
     * the service name here: allowed when the token may write any service (a locally authenticated service such
     * as a service-identity token), otherwise as {@link #serviceReadAll()} decides. So
     * {@code service "web" { policy = "read" }} alone sees no imported instances.
     */
    public boolean importedServiceRead() {
        if (manageAll) {
            return true;
        }
        if (anyAllowed(Resource.SERVICE, AccessLevel.WRITE) == Decision.ALLOW) {
            return true;
        }
        return resolve(allAllowed(Resource.SERVICE, AccessLevel.READ), Resource.SERVICE);
    }

    /**
     * Whether the token may read nodes of data imported from a peer: allowed when the token may write any service,
     * otherwise as {@link #nodeReadAll()} decides (Consul's {@code NodeRead} with a peer in the context).
     */
    public boolean importedNodeRead() {
        if (manageAll) {
            return true;
        }
        if (anyAllowed(Resource.SERVICE, AccessLevel.WRITE) == Decision.ALLOW) {
            return true;
        }
        return resolve(allAllowed(Resource.NODE, AccessLevel.READ), Resource.NODE);
    }

    /** Whether the default policy is allow. */
    public boolean defaultAllow() {
        return defaultAllow;
    }

    /** The merged rules this authorizer decides with (empty for {@link #allowAll()}). */
    public PolicyRules rules() {
        return rules;
    }

    /** The rules' own decision on a permission, before the default policy. */
    Decision decide(Permission permission) {
        Resource resource = permission.resource();
        AccessLevel requested = permission.level();
        return switch (resource) {
            case ACL, OPERATOR, KEYRING -> enforce(rules.rule(resource), requested);
            case PEERING, MESH -> rules.rule(resource) != null
                    ? enforce(rules.rule(resource), requested)
                    : enforce(rules.rule(Resource.OPERATOR), requested);
            case INTENTION -> permission.name().equals("*")
                    ? (requested == AccessLevel.WRITE
                            ? allAllowed(Resource.INTENTION, requested)
                            : anyAllowed(Resource.INTENTION, requested))
                    : enforce(lookup(resource, permission.name()), requested);
            default -> enforce(lookup(resource, permission.name()), requested);
        };
    }

    private boolean resolve(Decision decision, Resource resource) {
        return switch (decision) {
            case ALLOW -> true;
            case DENY -> false;
            case DEFAULT -> defaultAllow && resource != Resource.ACL;
        };
    }

    private static Decision enforce(AccessLevel rule, AccessLevel requested) {
        if (rule == null) {
            return Decision.DEFAULT;
        }
        return rule.grants(requested) ? Decision.ALLOW : Decision.DENY;
    }

    /** The exact rule for {@code name}, else the longest prefix rule matching it, else null. */
    private AccessLevel lookup(Resource resource, String name) {
        AccessLevel exactRule = exact.get(resource).get(name);
        if (exactRule != null) {
            return exactRule;
        }
        // A token has few prefix rules; scanning them costs O(rules x prefix length) whatever the name's length.
        String longest = null;
        for (String candidate : prefix.get(resource).keySet()) {
            if (name.startsWith(candidate) && (longest == null || candidate.length() > longest.length())) {
                longest = candidate;
            }
        }
        return longest == null ? null : prefix.get(resource).get(longest);
    }

    /**
     * Consul's {@code allAllowed}: deny when any rule of the resource (exact or prefix) fails to grant
     * {@code requested}; otherwise allow when a {@code ""} prefix rule exists; otherwise no decision.
     */
    private Decision allAllowed(Resource resource, AccessLevel requested) {
        for (AccessLevel level : exact.get(resource).values()) {
            if (!level.grants(requested)) {
                return Decision.DENY;
            }
        }
        for (AccessLevel level : prefix.get(resource).values()) {
            if (!level.grants(requested)) {
                return Decision.DENY;
            }
        }
        return prefix.get(resource).containsKey("") ? Decision.ALLOW : Decision.DEFAULT;
    }

    /**
     * Consul's {@code anyAllowed}: allow when any rule of the resource grants {@code requested}; otherwise deny
     * when a {@code ""} prefix rule exists; otherwise no decision.
     */
    private Decision anyAllowed(Resource resource, AccessLevel requested) {
        boolean granted = exact.get(resource).values().stream().anyMatch(level -> level.grants(requested))
                || prefix.get(resource).values().stream().anyMatch(level -> level.grants(requested));
        if (granted) {
            return Decision.ALLOW;
        }
        return prefix.get(resource).containsKey("") ? Decision.DENY : Decision.DEFAULT;
    }

    /**
     * Intention rules from (merged) service rules: the explicit {@code intentions} level where given, else read
     * for a read or write service rule and deny for a deny rule ({@code loadRules} in Consul, which derives after
     * merging).
     */
    private static Map<String, AccessLevel> intentions(Map<String, AccessLevel> services, Map<String, AccessLevel> explicit) {
        Map<String, AccessLevel> derived = new TreeMap<>();
        services.forEach((name, level) -> {
            AccessLevel stated = explicit.get(name);
            derived.put(name, stated != null ? stated : level == AccessLevel.DENY ? AccessLevel.DENY : AccessLevel.READ);
        });
        return derived;
    }
}
