package io.clusterpeering.acl;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The parsed rules of one ACL policy (or the merge of several), immutable.
 *
 * <p>Holds, as Consul's {@code acl.PolicyRules} does after validation: one level per unlabelled resource
 * ({@code acl}, {@code operator}, {@code peering}, {@code mesh}, {@code keyring}); per labelled resource the
 * exact rules ({@code service "web"}) and prefix rules ({@code service_prefix "we"}) by name; and, under
 * {@link Resource#INTENTION}, the {@code intentions} levels that {@code service}/{@code service_prefix} rules
 * state explicitly. Several rules for the same resource, name and kind (in one policy or across merged ones)
 * keep the strongest level: deny over write over list over read; explicit intentions merge the same way and
 * are derived from the service level only later, by the {@link Authorizer}, as in Consul.
 */
public final class PolicyRules {
    /**
     * The Rules text of Consul's builtin {@code global-management} policy (ID
     * {@code 00000000-0000-0000-0000-000000000001}), byte for byte as Consul CE stores and returns it: write on
     * everything, intentions included.
     */
    public static final String GLOBAL_MANAGEMENT_RULES = """

            acl = "write"
            agent_prefix "" {
            \tpolicy = "write"
            }
            event_prefix "" {
            \tpolicy = "write"
            }
            key_prefix "" {
            \tpolicy = "write"
            }
            keyring = "write"
            node_prefix "" {
            \tpolicy = "write"
            }
            operator = "write"
            mesh = "write"
            peering = "write"
            query_prefix "" {
            \tpolicy = "write"
            }
            service_prefix "" {
            \tpolicy = "write"
            \tintentions = "write"
            }
            session_prefix "" {
            \tpolicy = "write"
            }""";

    /** No rules at all: every check falls through to the default policy. */
    public static final PolicyRules EMPTY = new Builder().build();

    private final Map<Resource, AccessLevel> unlabelled;
    private final Map<Resource, Map<String, AccessLevel>> exact;
    private final Map<Resource, Map<String, AccessLevel>> prefix;

    private PolicyRules(Builder builder) {
        this.unlabelled = Collections.unmodifiableMap(new EnumMap<>(builder.unlabelled));
        this.exact = freeze(builder.exact);
        this.prefix = freeze(builder.prefix);
    }

    private static Map<Resource, Map<String, AccessLevel>> freeze(Map<Resource, TreeMap<String, AccessLevel>> tables) {
        Map<Resource, Map<String, AccessLevel>> frozen = new EnumMap<>(Resource.class);
        tables.forEach((resource, table) -> {
            if (!table.isEmpty()) {
                frozen.put(resource, Collections.unmodifiableMap(new TreeMap<>(table)));
            }
        });
        return Collections.unmodifiableMap(frozen);
    }

    /**
     * Parses a policy's {@code Rules} text, HCL or JSON (JSON when the first non-blank character is '{', as
     * Consul's decoder decides). Null, empty or blank text (or text with only comments) means no rules.
     *
     * <p>Validation mirrors Consul ({@code acl/policy.go}): levels are case-insensitive; {@code list} is valid only
     * for {@code key}/{@code key_prefix}; an empty string for an unlabelled resource means "no rule"; an argument
     * given twice in one block is an error. Stricter than Consul CE, which ignores keys it does not know: an
     * unknown resource word, an unknown field in a rule, and Enterprise {@code partition}/{@code namespace} blocks
     * are rejected, naming the word and its line.
     *
     * @throws InvalidRulesException with Consul's text: {@code Failed to parse ACL rules: At <line>:<column>: ...}
     *                               for syntax and structure errors, {@code Failed to parse ACL rules: The argument
     *                               "<key>" at <line>:<column> was already set. Each argument can only be defined
     *                               once} for duplicates, {@code Invalid <rule> policy: <Go %#v of the rule>} for
     *                               levels (e.g. {@code Invalid peering policy: "admin"})
     */
    public static PolicyRules parse(String rules) {
        if (rules == null || rules.isBlank()) {
            return EMPTY;
        }
        RuleNode.Obj root = rules.stripLeading().startsWith("{") ? JsonSyntax.parse(rules) : HclSyntax.parse(rules);
        return RulesDecoder.decode(root);
    }

    /**
     * Merges the rules of several policies, as Consul's {@code MergePolicies} does before authorizing: for each
     * resource, name and kind the strongest level wins (deny over write over list over read).
     */
    public static PolicyRules merge(Collection<PolicyRules> policies) {
        Builder builder = new Builder();
        for (PolicyRules policy : policies) {
            Objects.requireNonNull(policy, "policy");
            builder.addAll(policy);
        }
        return builder.build();
    }

    /**
     * The rules Consul synthesises for a token's service identity {@code {"ServiceName": name}}: write on the
     * service and its {@code <name>-sidecar-proxy}, read on every service and node ({@code agent/structs/acl_ce.go}).
     */
    public static PolicyRules serviceIdentity(String serviceName) {
        Objects.requireNonNull(serviceName, "serviceName");
        return new Builder()
                .exact(Resource.SERVICE, serviceName, AccessLevel.WRITE)
                .exact(Resource.SERVICE, serviceName + "-sidecar-proxy", AccessLevel.WRITE)
                .prefix(Resource.SERVICE, "", AccessLevel.READ)
                .prefix(Resource.NODE, "", AccessLevel.READ)
                .build();
    }

    /**
     * The rules Consul synthesises for a token's node identity {@code {"NodeName": name}}: write on the node,
     * read on every service.
     */
    public static PolicyRules nodeIdentity(String nodeName) {
        Objects.requireNonNull(nodeName, "nodeName");
        return new Builder()
                .exact(Resource.NODE, nodeName, AccessLevel.WRITE)
                .prefix(Resource.SERVICE, "", AccessLevel.READ)
                .build();
    }

    /** The level of an unlabelled resource's rule ({@code peering = "read"}), or null when the rules have none. */
    public AccessLevel rule(Resource resource) {
        if (resource.labelled()) {
            throw new IllegalArgumentException(resource.word() + " rules are per name: use exactRules/prefixRules");
        }
        return unlabelled.get(resource);
    }

    /**
     * The exact-name rules of a labelled resource, by name (sorted, unmodifiable). For {@link Resource#INTENTION}:
     * the {@code intentions} levels stated explicitly in {@code service} rules.
     */
    public Map<String, AccessLevel> exactRules(Resource resource) {
        return exact.getOrDefault(requireLabelled(resource), Map.of());
    }

    /**
     * The prefix rules of a labelled resource, by prefix (sorted, unmodifiable; {@code ""} matches every name).
     * For {@link Resource#INTENTION}: the explicit {@code intentions} levels of {@code service_prefix} rules.
     */
    public Map<String, AccessLevel> prefixRules(Resource resource) {
        return prefix.getOrDefault(requireLabelled(resource), Map.of());
    }

    /** Whether there are no rules at all (every check would fall through to the default policy). */
    public boolean isEmpty() {
        return unlabelled.isEmpty() && exact.isEmpty() && prefix.isEmpty();
    }

    private static Resource requireLabelled(Resource resource) {
        if (!resource.labelled()) {
            throw new IllegalArgumentException(resource.word() + " has one rule, not rules per name: use rule()");
        }
        return resource;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PolicyRules that
                && unlabelled.equals(that.unlabelled) && exact.equals(that.exact) && prefix.equals(that.prefix);
    }

    @Override
    public int hashCode() {
        return Objects.hash(unlabelled, exact, prefix);
    }

    @Override
    public String toString() {
        return "PolicyRules{unlabelled=" + unlabelled + ", exact=" + exact + ", prefix=" + prefix + "}";
    }

    /** Collects rules, keeping the strongest level per resource, name and kind. */
    static final class Builder {
        private final Map<Resource, AccessLevel> unlabelled = new EnumMap<>(Resource.class);
        private final Map<Resource, TreeMap<String, AccessLevel>> exact = new EnumMap<>(Resource.class);
        private final Map<Resource, TreeMap<String, AccessLevel>> prefix = new EnumMap<>(Resource.class);

        Builder set(Resource resource, AccessLevel level) {
            unlabelled.merge(resource, level, AccessLevel::strongest);
            return this;
        }

        Builder exact(Resource resource, String name, AccessLevel level) {
            exact.computeIfAbsent(resource, r -> new TreeMap<>()).merge(name, level, AccessLevel::strongest);
            return this;
        }

        Builder prefix(Resource resource, String name, AccessLevel level) {
            prefix.computeIfAbsent(resource, r -> new TreeMap<>()).merge(name, level, AccessLevel::strongest);
            return this;
        }

        Builder addAll(PolicyRules rules) {
            rules.unlabelled.forEach(this::set);
            rules.exact.forEach((resource, table) -> table.forEach((name, level) -> exact(resource, name, level)));
            rules.prefix.forEach((resource, table) -> table.forEach((name, level) -> prefix(resource, name, level)));
            return this;
        }

        PolicyRules build() {
            return new PolicyRules(this);
        }
    }
}
