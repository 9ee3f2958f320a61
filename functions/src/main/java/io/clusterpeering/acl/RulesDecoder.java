package io.clusterpeering.acl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a rules tree ({@link HclSyntax} or {@link JsonSyntax}) into {@link PolicyRules}, as Consul's HCL decoder
 * and {@code PolicyRules.Validate} do: keys match case-insensitively; a labelled resource holds blocks by name,
 * given as an object or a list of objects (Consul's older JSON form); a rule holds {@code policy} (and, for
 * services, {@code intentions}). Structure errors are thrown as met; level errors are reported only once the
 * whole text has decoded, as Consul validates after decoding.
 */
final class RulesDecoder {
    /** A rule word of the language: the resource it governs and whether it is the {@code _prefix} form. */
    private record RuleWord(String word, Resource resource, boolean prefix, String goType, String goNameField) {
    }

    private static final Map<String, RuleWord> WORDS = new HashMap<>();
    private static final Set<String> ENTERPRISE_WORDS =
            Set.of("partition", "partition_prefix", "namespace", "namespace_prefix");
    private static final String KNOWN_WORDS = "acl, agent, agent_prefix, event, event_prefix, key, key_prefix, "
            + "keyring, mesh, node, node_prefix, operator, peering, query, query_prefix, service, service_prefix, "
            + "session, session_prefix";

    static {
        for (Resource resource : List.of(Resource.ACL, Resource.OPERATOR, Resource.PEERING, Resource.MESH, Resource.KEYRING)) {
            add(new RuleWord(resource.word(), resource, false, null, null));
        }
        labelled(Resource.AGENT, "agent", "AgentRule", "Node");
        labelled(Resource.EVENT, "event", "EventRule", "Event");
        labelled(Resource.KEY, "key", "KeyRule", "Prefix");
        labelled(Resource.NODE, "node", "NodeRule", "Name");
        labelled(Resource.QUERY, "query", "PreparedQueryRule", "Prefix");
        labelled(Resource.SERVICE, "service", "ServiceRule", "Name");
        labelled(Resource.SESSION, "session", "SessionRule", "Node");
    }

    private static void labelled(Resource resource, String word, String goType, String goNameField) {
        add(new RuleWord(word, resource, false, goType, goNameField));
        add(new RuleWord(word + "_prefix", resource, true, goType, goNameField));
    }

    private static void add(RuleWord word) {
        WORDS.put(word.word, word);
    }

    private final PolicyRules.Builder builder = new PolicyRules.Builder();
    private InvalidRulesException firstLevelError;

    private RulesDecoder() {
    }

    /**
     * Decodes and validates a parsed rules tree.
     *
     * @throws InvalidRulesException for structure errors (with line) and invalid levels (Consul's text)
     */
    static PolicyRules decode(RuleNode.Obj root) {
        RulesDecoder decoder = new RulesDecoder();
        decoder.root(root);
        if (decoder.firstLevelError != null) {
            throw decoder.firstLevelError;
        }
        return decoder.builder.build();
    }

    private void root(RuleNode.Obj root) {
        rejectDuplicateArguments(root);
        for (RuleNode.Item item : root.items()) {
            String key = item.key().toLowerCase(Locale.ROOT);
            RuleWord word = WORDS.get(key);
            if (word == null) {
                if (ENTERPRISE_WORDS.contains(key)) {
                    throw at(item, "\"" + item.key() + "\" rules need Consul Enterprise (admin partitions and "
                            + "namespaces); this server implements Consul CE, where every rule applies to the default "
                            + "partition and namespace");
                }
                throw at(item, "unknown resource \"" + item.key() + "\"; rules are written for " + KNOWN_WORDS);
            }
            if (word.goType == null) {
                unlabelledRule(word, item);
            } else {
                for (RuleNode.Obj container : blocks(item.value(), () -> word.word + " needs a name: " + word.word
                        + " \"<name>\" { policy = \"read\" }")) {
                    rejectDuplicateArguments(container);
                    for (RuleNode.Item named : container.items()) {
                        for (RuleNode.Obj body : blocks(named.value(), () -> word.word + " \"" + named.key()
                                + "\" must be a block such as { policy = \"read\" }")) {
                            labelledRule(word, named.key(), body);
                        }
                    }
                }
            }
        }
    }

    private void unlabelledRule(RuleWord word, RuleNode.Item item) {
        String text = levelText(item.value(), word.word);
        if (text.isEmpty()) {
            return; // Consul: an empty level means the policy has no rule for the resource
        }
        AccessLevel level = AccessLevel.fromWord(text);
        if (level == null || level == AccessLevel.LIST) {
            levelError("Invalid " + word.word + " policy: " + GoSyntax.quote(text), item.value());
            return;
        }
        builder.set(word.resource, level);
    }

    private void labelledRule(RuleWord word, String name, RuleNode.Obj body) {
        rejectDuplicateArguments(body);
        boolean service = word.resource == Resource.SERVICE;
        String policy = "";
        String intentions = "";
        RuleNode policyAt = body;
        RuleNode intentionsAt = body;
        for (RuleNode.Item field : body.items()) {
            String key = field.key().toLowerCase(Locale.ROOT);
            if (key.equals("policy")) {
                policy = levelText(field.value(), word.word + " \"" + name + "\" policy");
                policyAt = field.value();
            } else if (service && key.equals("intentions")) {
                intentions = levelText(field.value(), word.word + " \"" + name + "\" intentions");
                intentionsAt = field.value();
            } else {
                throw at(field, "unknown field \"" + field.key() + "\" in " + word.word + " \"" + name + "\"; a "
                        + word.word + " rule takes " + (service ? "policy and intentions" : "policy"));
            }
        }
        AccessLevel level = AccessLevel.fromWord(policy);
        if (level == null || (level == AccessLevel.LIST && !word.resource.allowsList())) {
            levelError("Invalid " + word.word + " policy: " + goDump(word, name, policy, intentions), policyAt);
            return;
        }
        AccessLevel intentionsLevel = null;
        if (!intentions.isEmpty()) {
            intentionsLevel = AccessLevel.fromWord(intentions);
            if (intentionsLevel == null || intentionsLevel == AccessLevel.LIST) {
                levelError("Invalid " + word.word + " intentions policy: " + goDump(word, name, policy, intentions),
                        intentionsAt);
                return;
            }
        }
        if (word.prefix) {
            builder.prefix(word.resource, name, level);
            if (intentionsLevel != null) {
                builder.prefix(Resource.INTENTION, name, intentionsLevel);
            }
        } else {
            builder.exact(word.resource, name, level);
            if (intentionsLevel != null) {
                builder.exact(Resource.INTENTION, name, intentionsLevel);
            }
        }
    }

    /** The rule as Go's {@code %#v} prints Consul's rule struct pointer, for Consul's "Invalid ... policy" texts. */
    private static String goDump(RuleWord word, String name, String policy, String intentions) {
        StringBuilder dump = new StringBuilder("&acl.").append(word.goType).append('{')
                .append(word.goNameField).append(':').append(GoSyntax.quote(name))
                .append(", Policy:").append(GoSyntax.quote(policy));
        if (word.resource == Resource.SERVICE) {
            dump.append(", Intentions:").append(GoSyntax.quote(intentions));
        }
        if (word.resource == Resource.SERVICE || word.resource == Resource.NODE || word.resource == Resource.KEY) {
            dump.append(", EnterpriseRule:acl.EnterpriseRule{}");
        }
        return dump.append('}').toString();
    }

    /** A level as written: a string, or a number's text (Consul's decoder turns numbers into strings too). */
    private static String levelText(RuleNode value, String what) {
        if (value instanceof RuleNode.Scalar scalar
                && (scalar.kind() == RuleNode.Scalar.Kind.STRING || scalar.kind() == RuleNode.Scalar.Kind.NUMBER)) {
            return scalar.text();
        }
        throw InvalidRulesException.at(value.line(), value.column(), what
                + " takes a level in quotes (\"read\", \"write\", \"deny\"), not " + value.describe());
    }

    /** A block, or a list of blocks (Consul's older JSON form); anything else is the error {@code message}. */
    private static List<RuleNode.Obj> blocks(RuleNode value, java.util.function.Supplier<String> message) {
        if (value instanceof RuleNode.Obj obj) {
            return List.of(obj);
        }
        if (value instanceof RuleNode.Lst list) {
            List<RuleNode.Obj> blocks = new ArrayList<>();
            for (RuleNode element : list.values()) {
                if (!(element instanceof RuleNode.Obj obj)) {
                    throw InvalidRulesException.at(element.line(), element.column(),
                            message.get() + ", not a list holding " + element.describe());
                }
                blocks.add(obj);
            }
            return blocks;
        }
        throw InvalidRulesException.at(value.line(), value.column(), message.get() + ", not " + value.describe());
    }

    /**
     * Consul decodes rules with {@code DecodeErrorOnDuplicates}: an argument ({@code key = value}) set twice in
     * one block is an error naming the second one's position. Blocks may repeat (their rules merge).
     */
    private static void rejectDuplicateArguments(RuleNode.Obj obj) {
        Map<String, RuleNode.Item> seen = new HashMap<>();
        for (RuleNode.Item item : obj.items()) {
            if (!item.isArgument()) {
                continue;
            }
            if (seen.putIfAbsent(item.key().toLowerCase(Locale.ROOT), item) != null) {
                throw new InvalidRulesException("Failed to parse ACL rules: The argument \"" + item.key() + "\" at "
                        + item.line() + ":" + item.column()
                        + " was already set. Each argument can only be defined once", item.line(), item.column());
            }
        }
    }

    private void levelError(String message, RuleNode at) {
        if (firstLevelError == null) {
            firstLevelError = InvalidRulesException.invalidLevel(message, at.line(), at.column());
        }
    }

    private static InvalidRulesException at(RuleNode.Item item, String detail) {
        return InvalidRulesException.at(item.line(), item.column(), detail);
    }
}
