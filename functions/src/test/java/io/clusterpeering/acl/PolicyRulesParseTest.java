package io.clusterpeering.acl;

import static io.clusterpeering.acl.AccessLevel.DENY;
import static io.clusterpeering.acl.AccessLevel.LIST;
import static io.clusterpeering.acl.AccessLevel.READ;
import static io.clusterpeering.acl.AccessLevel.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Consul's rule language, HCL and JSON: what parses to what, and the exact texts of what does not. */
class PolicyRulesParseTest {

    private static InvalidRulesException rejected(String rules) {
        return assertThrows(InvalidRulesException.class, () -> PolicyRules.parse(rules));
    }

    // ---- every resource, both syntaxes ----

    static Stream<Arguments> unlabelledResources() {
        return Stream.of(
                Arguments.of("acl", Resource.ACL),
                Arguments.of("operator", Resource.OPERATOR),
                Arguments.of("peering", Resource.PEERING),
                Arguments.of("mesh", Resource.MESH),
                Arguments.of("keyring", Resource.KEYRING));
    }

    @ParameterizedTest(name = "{0} in HCL and JSON")
    @MethodSource("unlabelledResources")
    void unlabelledResourceParsesInBothSyntaxes(String word, Resource resource) {
        for (AccessLevel level : List.of(READ, WRITE, DENY)) {
            PolicyRules hcl = PolicyRules.parse(word + " = \"" + level.word() + "\"");
            PolicyRules json = PolicyRules.parse("{\"" + word + "\": \"" + level.word() + "\"}");
            assertEquals(level, hcl.rule(resource));
            assertEquals(hcl, json);
        }
    }

    static Stream<Arguments> labelledResources() {
        return Stream.of(
                Arguments.of("agent", Resource.AGENT),
                Arguments.of("node", Resource.NODE),
                Arguments.of("service", Resource.SERVICE),
                Arguments.of("key", Resource.KEY),
                Arguments.of("session", Resource.SESSION),
                Arguments.of("event", Resource.EVENT),
                Arguments.of("query", Resource.QUERY));
    }

    @ParameterizedTest(name = "{0} and {0}_prefix in HCL and JSON")
    @MethodSource("labelledResources")
    void labelledResourceParsesExactAndPrefixRulesInBothSyntaxes(String word, Resource resource) {
        String hcl = word + " \"web\" {\n  policy = \"write\"\n}\n"
                + word + "_prefix \"\" {\n  policy = \"read\"\n}\n"
                + word + "_prefix \"db-\" {\n  policy = \"deny\"\n}\n";
        String json = "{\"" + word + "\": {\"web\": {\"policy\": \"write\"}},"
                + " \"" + word + "_prefix\": {\"\": {\"policy\": \"read\"}, \"db-\": {\"policy\": \"deny\"}}}";

        PolicyRules fromHcl = PolicyRules.parse(hcl);

        assertEquals(Map.of("web", WRITE), fromHcl.exactRules(resource));
        assertEquals(Map.of("", READ, "db-", DENY), fromHcl.prefixRules(resource));
        assertEquals(fromHcl, PolicyRules.parse(json));
    }

    @Test
    void theTaskExamplesParseInHclAndJsonToTheSameRules() {
        PolicyRules hcl = PolicyRules.parse("""
                peering = "write"
                service "web" { policy = "read" intentions = "write" }
                service_prefix "" { policy = "read" }
                """);
        PolicyRules json = PolicyRules.parse(
                "{\"peering\":\"write\",\"service\":{\"web\":{\"policy\":\"read\",\"intentions\":\"write\"}},"
                        + "\"service_prefix\":{\"\":{\"policy\":\"read\"}}}");

        assertEquals(WRITE, hcl.rule(Resource.PEERING));
        assertEquals(Map.of("web", READ), hcl.exactRules(Resource.SERVICE));
        assertEquals(Map.of("web", WRITE), hcl.exactRules(Resource.INTENTION));
        assertEquals(Map.of("", READ), hcl.prefixRules(Resource.SERVICE));
        assertEquals(hcl, json);
    }

    @Test
    void hclAcceptsItemsSeparatedByNothingCommasOrNewlinesAndAllCommentStyles() {
        String oneLine = "peering = \"write\" mesh = \"read\" service \"a\" { policy = \"read\", intentions = \"deny\" }";
        String commented = """
                # peering operators
                peering = "write" // full control
                /* a block comment
                   over lines */ mesh = "read",
                service "a" {
                  policy     = "read"
                  intentions = "deny"
                }
                """;

        PolicyRules rules = PolicyRules.parse(oneLine);

        assertEquals(WRITE, rules.rule(Resource.PEERING));
        assertEquals(READ, rules.rule(Resource.MESH));
        assertEquals(Map.of("a", DENY), rules.exactRules(Resource.INTENTION));
        assertEquals(rules, PolicyRules.parse(commented));
    }

    @Test
    void hclAcceptsTheEquivalentNestedObjectForms() {
        PolicyRules labelled = PolicyRules.parse("service \"web\" { policy = \"read\" }");

        assertEquals(labelled, PolicyRules.parse("service = { web = { policy = \"read\" } }"));
        assertEquals(labelled, PolicyRules.parse("service { \"web\" { policy = \"read\" } }"));
        assertEquals(labelled, PolicyRules.parse("service web { policy = \"read\" }"));
    }

    @Test
    void jsonAcceptsConsulsOlderListOfBlocksForms() {
        PolicyRules expected = PolicyRules.parse("service \"web\" { policy = \"read\" }\nservice \"db\" { policy = \"write\" }");

        assertEquals(expected, PolicyRules.parse(
                "{\"service\": [{\"web\": {\"policy\": \"read\"}}, {\"db\": {\"policy\": \"write\"}}]}"));
        assertEquals(expected, PolicyRules.parse(
                "{\"service\": [{\"web\": [{\"policy\": \"read\"}]}, {\"db\": [{\"policy\": \"write\"}]}]}"));
    }

    @Test
    void levelsAndKeysAreCaseInsensitiveAsInConsul() {
        PolicyRules rules = PolicyRules.parse("Peering = \"WRITE\"\nSERVICE \"Web\" { Policy = \"Read\" }");

        assertEquals(WRITE, rules.rule(Resource.PEERING));
        assertEquals(Map.of("Web", READ), rules.exactRules(Resource.SERVICE), "names keep their case");
    }

    @Test
    void listIsValidForKeyAndKeyPrefix() {
        PolicyRules rules = PolicyRules.parse("key \"a\" { policy = \"list\" }\nkey_prefix \"b/\" { policy = \"LIST\" }");

        assertEquals(Map.of("a", LIST), rules.exactRules(Resource.KEY));
        assertEquals(Map.of("b/", LIST), rules.prefixRules(Resource.KEY));
    }

    @Test
    void repeatedBlocksInOnePolicyMergeToTheStrongestLevel() {
        PolicyRules rules = PolicyRules.parse("""
                service "web" { policy = "read" }
                service "web" { policy = "write" }
                node "n1" { policy = "write" }
                node "n1" { policy = "deny" }
                key "k" { policy = "read" }
                key "k" { policy = "list" }
                """);

        assertEquals(Map.of("web", WRITE), rules.exactRules(Resource.SERVICE));
        assertEquals(Map.of("n1", DENY), rules.exactRules(Resource.NODE));
        assertEquals(Map.of("k", LIST), rules.exactRules(Resource.KEY));
    }

    @Test
    void interpolationSyntaxStaysLiteralText() {
        PolicyRules rules = PolicyRules.parse("service \"${node.name}\" { policy = \"read\" }");

        assertEquals(Map.of("${node.name}", READ), rules.exactRules(Resource.SERVICE));
    }

    @Test
    void escapesInQuotedNamesAreDecoded() {
        PolicyRules rules = PolicyRules.parse("key \"a\\\"b\\\\c\\u00e9\" { policy = \"read\" }");

        assertEquals(Map.of("a\"b\\cé", READ), rules.exactRules(Resource.KEY));
    }

    // ---- empty rules ----

    @ParameterizedTest(name = "[{0}]")
    @NullSource
    @ValueSource(strings = {"", "   \n\t ", "# only a comment\n", "// c\n/* c */", "{}"})
    void emptyRulesMeanNoRules(String rules) {
        assertTrue(PolicyRules.parse(rules).isEmpty());
    }

    @ParameterizedTest(name = "{0} = \"\"")
    @ValueSource(strings = {"acl", "operator", "peering", "mesh", "keyring"})
    void anEmptyLevelForAnUnlabelledResourceMeansNoRule(String word) {
        PolicyRules rules = PolicyRules.parse(word + " = \"\"");

        assertTrue(rules.isEmpty());
        assertEquals(rules, PolicyRules.parse("{\"" + word + "\": \"\"}"));
    }

    // ---- invalid levels: Consul's texts ----

    static Stream<Arguments> invalidLevels() {
        return Stream.of(
                Arguments.of("peering = \"admin\"", "Invalid peering policy: \"admin\""),
                Arguments.of("{\"peering\": \"admin\"}", "Invalid peering policy: \"admin\""),
                Arguments.of("acl = \"list\"", "Invalid acl policy: \"list\""),
                Arguments.of("operator = \"nope\"", "Invalid operator policy: \"nope\""),
                Arguments.of("mesh = \"sudo\"", "Invalid mesh policy: \"sudo\""),
                Arguments.of("keyring = 1", "Invalid keyring policy: \"1\""),
                Arguments.of("peering = \"wr\\\"ite\"", "Invalid peering policy: \"wr\\\"ite\""),
                Arguments.of("service \"web\" { policy = \"admin\" }",
                        "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"admin\", Intentions:\"\","
                                + " EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("service \"web\" { policy = \"list\" }",
                        "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"list\", Intentions:\"\","
                                + " EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("service_prefix \"\" { intentions = \"write\" }",
                        "Invalid service_prefix policy: &acl.ServiceRule{Name:\"\", Policy:\"\", Intentions:\"write\","
                                + " EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("service \"web\" { policy = \"read\" intentions = \"list\" }",
                        "Invalid service intentions policy: &acl.ServiceRule{Name:\"web\", Policy:\"read\","
                                + " Intentions:\"list\", EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("service_prefix \"w\" { policy = \"read\" intentions = \"all\" }",
                        "Invalid service_prefix intentions policy: &acl.ServiceRule{Name:\"w\", Policy:\"read\","
                                + " Intentions:\"all\", EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("node \"n1\" { policy = \"list\" }",
                        "Invalid node policy: &acl.NodeRule{Name:\"n1\", Policy:\"list\", EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("node_prefix \"\" { policy = \"x\" }",
                        "Invalid node_prefix policy: &acl.NodeRule{Name:\"\", Policy:\"x\", EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("agent \"a\" { policy = \"x\" }", "Invalid agent policy: &acl.AgentRule{Node:\"a\", Policy:\"x\"}"),
                Arguments.of("agent_prefix \"a\" { policy = \"x\" }",
                        "Invalid agent_prefix policy: &acl.AgentRule{Node:\"a\", Policy:\"x\"}"),
                Arguments.of("key \"k\" { policy = \"x\" }",
                        "Invalid key policy: &acl.KeyRule{Prefix:\"k\", Policy:\"x\", EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("key_prefix \"k\" { policy = \"x\" }",
                        "Invalid key_prefix policy: &acl.KeyRule{Prefix:\"k\", Policy:\"x\", EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("session \"s\" { policy = \"list\" }",
                        "Invalid session policy: &acl.SessionRule{Node:\"s\", Policy:\"list\"}"),
                Arguments.of("session_prefix \"s\" { policy = \"x\" }",
                        "Invalid session_prefix policy: &acl.SessionRule{Node:\"s\", Policy:\"x\"}"),
                Arguments.of("event \"e\" { policy = \"x\" }", "Invalid event policy: &acl.EventRule{Event:\"e\", Policy:\"x\"}"),
                Arguments.of("event_prefix \"e\" { policy = \"x\" }",
                        "Invalid event_prefix policy: &acl.EventRule{Event:\"e\", Policy:\"x\"}"),
                Arguments.of("query \"q\" { policy = \"x\" }",
                        "Invalid query policy: &acl.PreparedQueryRule{Prefix:\"q\", Policy:\"x\"}"),
                Arguments.of("query_prefix \"q\" { policy = \"x\" }",
                        "Invalid query_prefix policy: &acl.PreparedQueryRule{Prefix:\"q\", Policy:\"x\"}"),
                Arguments.of("{\"service\": {\"web\": {\"policy\": \"nope\"}}}",
                        "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"nope\", Intentions:\"\","
                                + " EnterpriseRule:acl.EnterpriseRule{}}"),
                Arguments.of("service \"web\" {}",
                        "Invalid service policy: &acl.ServiceRule{Name:\"web\", Policy:\"\", Intentions:\"\","
                                + " EnterpriseRule:acl.EnterpriseRule{}}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidLevels")
    void anInvalidLevelIsRejectedWithConsulsTextNamingTheValue(String rules, String message) {
        assertEquals(message, rejected(rules).getMessage());
    }

    @Test
    void anInvalidLevelErrorKeepsItsLineForCallersThatWantIt() {
        InvalidRulesException error = rejected("peering = \"read\"\n\nmesh = \"admin\"");

        assertEquals(3, error.line().orElseThrow());
    }

    @Test
    void aStructureErrorAnywhereWinsOverAnInvalidLevelAsConsulDecodesBeforeValidating() {
        InvalidRulesException error = rejected("peering = \"admin\"\nservce \"web\" { policy = \"read\" }");

        assertTrue(error.getMessage().startsWith("Failed to parse ACL rules: At 2:1: unknown resource \"servce\""),
                error.getMessage());
    }

    // ---- syntax errors name the line ----

    static Stream<Arguments> syntaxErrors() {
        return Stream.of(
                Arguments.of("unclosed block", "peering = \"write\"\nservice \"web\" {\n  policy = \"read\"\n",
                        "Failed to parse ACL rules: At 4:1: expected '}' to close the block opened at 2:15, found the"
                                + " end of the rules"),
                Arguments.of("missing '='", "peering = \"write\"\nservice \"web\" {\n  policy \"read\"\n}\n",
                        "Failed to parse ACL rules: At 4:1: expected '=' or '{' after policy \"read\", found '}'"),
                Arguments.of("bare word value", "peering = \"write\"\nservice \"web\" {\n  policy = read\n}",
                        "Failed to parse ACL rules: At 3:12: unknown token: the bare word read (values are quoted"
                                + " strings, e.g. \"read\")"),
                Arguments.of("string across lines", "mesh = \"read\"\npeering = \"wr\nite\"",
                        "Failed to parse ACL rules: At 2:11: literal not terminated (a string must close on its line)"),
                Arguments.of("stray closing brace", "peering = \"write\"\n}\n",
                        "Failed to parse ACL rules: At 2:1: expected a name or a quoted label, found '}'"),
                Arguments.of("nothing after '='", "mesh = \"read\"\npeering =\n",
                        "Failed to parse ACL rules: At 3:1: expected a value, found the end of the rules"),
                Arguments.of("function call", "\n\npeering = upper(\"write\")",
                        "Failed to parse ACL rules: At 3:11: unknown token: the bare word upper (values are quoted"
                                + " strings, e.g. \"upper\")"),
                Arguments.of("illegal character", "peering = \"write\"\n\n  @@",
                        "Failed to parse ACL rules: At 3:3: illegal character '@'"),
                Arguments.of("heredoc", "peering = <<EOT\nwrite\nEOT\n",
                        "Failed to parse ACL rules: At 1:11: heredoc strings are not supported in ACL rules; use a"
                                + " quoted string"),
                Arguments.of("unterminated comment", "peering = \"write\"\n/* never closed",
                        "Failed to parse ACL rules: At 2:1: comment not terminated"),
                Arguments.of("labels then '='", "service \"web\" = { policy = \"read\" }",
                        "Failed to parse ACL rules: At 1:15: expected '{' after service \"web\", found '='"),
                Arguments.of("unclosed list", "peering = [\"write\"\n",
                        "Failed to parse ACL rules: At 2:1: expected ',' or ']' in the list opened at 1:11, found the"
                                + " end of the rules"),
                Arguments.of("bad escape", "service \"a\\qb\" { policy = \"read\" }",
                        "Failed to parse ACL rules: At 1:11: unknown escape sequence \\q"),
                Arguments.of("json: missing value", "{\n  \"peering\": \n}",
                        "Failed to parse ACL rules: At 3:1: Unexpected character ('}' (code 125)): expected a value"),
                Arguments.of("json: missing comma", "{\"peering\": \"write\"\n \"mesh\": \"read\"}",
                        "Failed to parse ACL rules: At 2:2: Unexpected character ('\"' (code 34)): was expecting"
                                + " comma to separate Object entries"),
                Arguments.of("json: unclosed", "{\"service\": {\"web\": {\"policy\": \"read\"",
                        "Failed to parse ACL rules: At 1:38: Unexpected end-of-input: expected close marker for"
                                + " Object (start marker at [line: 1, column: 21])"),
                Arguments.of("json: trailing content", "{\"peering\": \"write\"}\n{\"mesh\": \"read\"}",
                        "Failed to parse ACL rules: At 2:1: unexpected content after the JSON object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("syntaxErrors")
    void aSyntaxErrorNamesItsLineAndColumn(String what, String rules, String message) {
        InvalidRulesException error = rejected(rules);

        assertEquals(message, error.getMessage());
        assertTrue(error.line().isPresent());
    }

    @Test
    void hostileNestingIsASyntaxErrorNotAStackOverflow() {
        String hcl = "service " + "{ a ".repeat(100_000);
        String json = "{\"service\": " + "[".repeat(100_000);

        assertEquals("Failed to parse ACL rules: At 1:137: blocks and lists nest deeper than 32 levels",
                rejected(hcl).getMessage());
        assertEquals("Failed to parse ACL rules: At 1:44: objects and arrays nest deeper than 32 levels",
                rejected(json).getMessage());
    }

    @Test
    void rulesNestedAsDeepAsTheLanguageNeedsParse() {
        PolicyRules rules = PolicyRules.parse("{\"service\": [{\"web\": [{\"policy\": \"read\"}]}]}");

        assertEquals(Map.of("web", READ), rules.exactRules(Resource.SERVICE));
    }

    @Test
    void anArgumentSetTwiceInOneBlockIsRejectedAsConsulDoes() {
        assertEquals("Failed to parse ACL rules: The argument \"peering\" at 2:1 was already set. Each argument can"
                        + " only be defined once",
                rejected("peering = \"read\"\npeering = \"write\"").getMessage());
        assertEquals("Failed to parse ACL rules: The argument \"policy\" at 1:33 was already set. Each argument can"
                        + " only be defined once",
                rejected("service \"web\" { policy = \"read\" policy = \"write\" }").getMessage());
        assertEquals("Failed to parse ACL rules: The argument \"mesh\" at 1:33 was already set. Each argument can"
                        + " only be defined once",
                rejected("{\"mesh\": \"read\", \"peering\": \"\", \"mesh\": \"write\"}").getMessage());
    }

    // ---- structure: unknown words, wrong shapes, Enterprise blocks ----

    static Stream<Arguments> structureErrors() {
        return Stream.of(
                Arguments.of("peering = \"write\"\n\nservce \"web\" { policy = \"read\" }",
                        "Failed to parse ACL rules: At 3:1: unknown resource \"servce\"; rules are written for acl,"
                                + " agent, agent_prefix, event, event_prefix, key, key_prefix, keyring, mesh, node,"
                                + " node_prefix, operator, peering, query, query_prefix, service, service_prefix, session,"
                                + " session_prefix"),
                Arguments.of("{\"peering\": \"write\", \"intention\": \"write\"}",
                        "Failed to parse ACL rules: At 1:22: unknown resource \"intention\"; rules are written for acl,"
                                + " agent, agent_prefix, event, event_prefix, key, key_prefix, keyring, mesh, node,"
                                + " node_prefix, operator, peering, query, query_prefix, service, service_prefix, session,"
                                + " session_prefix"),
                Arguments.of("namespace \"team\" {\n  service_prefix \"\" { policy = \"read\" }\n}",
                        "Failed to parse ACL rules: At 1:1: \"namespace\" rules need Consul Enterprise (admin partitions"
                                + " and namespaces); this server implements Consul CE, where every rule applies to the"
                                + " default partition and namespace"),
                Arguments.of("mesh = \"read\"\npartition_prefix \"\" { peering = \"read\" }",
                        "Failed to parse ACL rules: At 2:1: \"partition_prefix\" rules need Consul Enterprise (admin"
                                + " partitions and namespaces); this server implements Consul CE, where every rule applies"
                                + " to the default partition and namespace"),
                Arguments.of("service \"web\" {\n  polcy = \"read\"\n}",
                        "Failed to parse ACL rules: At 2:3: unknown field \"polcy\" in service \"web\"; a service rule"
                                + " takes policy and intentions"),
                Arguments.of("node \"n1\" { policy = \"read\" intentions = \"read\" }",
                        "Failed to parse ACL rules: At 1:29: unknown field \"intentions\" in node \"n1\"; a node rule"
                                + " takes policy"),
                Arguments.of("service = \"read\"",
                        "Failed to parse ACL rules: At 1:11: service needs a name: service \"<name>\" { policy = \"read\" },"
                                + " not a string"),
                Arguments.of("service \"web\" \"extra\" { policy = \"read\" }",
                        "Failed to parse ACL rules: At 1:15: unknown field \"extra\" in service \"web\"; a service rule"
                                + " takes policy and intentions"),
                Arguments.of("{\"service\": {\"web\": \"read\"}}",
                        "Failed to parse ACL rules: At 1:21: service \"web\" must be a block such as"
                                + " { policy = \"read\" }, not a string"),
                Arguments.of("peering \"p1\" { policy = \"read\" }",
                        "Failed to parse ACL rules: At 1:9: peering takes a level in quotes (\"read\", \"write\","
                                + " \"deny\"), not a block"),
                Arguments.of("peering = true",
                        "Failed to parse ACL rules: At 1:11: peering takes a level in quotes (\"read\", \"write\","
                                + " \"deny\"), not a boolean"),
                Arguments.of("{\"peering\": null}",
                        "Failed to parse ACL rules: At 1:13: peering takes a level in quotes (\"read\", \"write\","
                                + " \"deny\"), not null"),
                Arguments.of("service \"web\" { policy = [\"read\"] }",
                        "Failed to parse ACL rules: At 1:26: service \"web\" policy takes a level in quotes (\"read\","
                                + " \"write\", \"deny\"), not a list"),
                Arguments.of("[\"peering\"]",
                        "Failed to parse ACL rules: At 1:1: expected a name or a quoted label, found '['"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("structureErrors")
    void aRuleOfTheWrongShapeOrAnUnknownWordIsRejectedNamingItAndItsLine(String rules, String message) {
        assertEquals(message, rejected(rules).getMessage());
    }

    // ---- builtins ----

    @Test
    void globalManagementRulesAreConsulsTextByteForByte() {
        String expected = "\nacl = \"write\"\nagent_prefix \"\" {\n\tpolicy = \"write\"\n}\nevent_prefix \"\" {\n"
                + "\tpolicy = \"write\"\n}\nkey_prefix \"\" {\n\tpolicy = \"write\"\n}\nkeyring = \"write\"\n"
                + "node_prefix \"\" {\n\tpolicy = \"write\"\n}\noperator = \"write\"\nmesh = \"write\"\n"
                + "peering = \"write\"\nquery_prefix \"\" {\n\tpolicy = \"write\"\n}\nservice_prefix \"\" {\n"
                + "\tpolicy = \"write\"\n\tintentions = \"write\"\n}\nsession_prefix \"\" {\n\tpolicy = \"write\"\n}";

        assertEquals(expected, PolicyRules.GLOBAL_MANAGEMENT_RULES);
    }

    @Test
    void globalManagementRulesParseToWriteOnEverything() {
        PolicyRules rules = PolicyRules.parse(PolicyRules.GLOBAL_MANAGEMENT_RULES);

        for (Resource resource : Resource.values()) {
            if (!resource.labelled()) {
                assertEquals(WRITE, rules.rule(resource), resource.word());
            } else {
                assertEquals(Map.of("", WRITE), rules.prefixRules(resource), resource.word());
                assertTrue(rules.exactRules(resource).isEmpty(), resource.word());
            }
        }
    }

    @Test
    void serviceIdentityRulesAreWhatConsulSynthesises() {
        PolicyRules expected = PolicyRules.parse("""
                service "web"               { policy = "write" }
                service "web-sidecar-proxy" { policy = "write" }
                service_prefix "" { policy = "read" }
                node_prefix ""    { policy = "read" }
                """);

        assertEquals(expected, PolicyRules.serviceIdentity("web"));
        assertEquals(PolicyRules.parse("node \"n1\" { policy = \"write\" }\nservice_prefix \"\" { policy = \"read\" }"),
                PolicyRules.nodeIdentity("n1"));
    }

    @Test
    void mergeKeepsTheStrongestLevelPerResourceNameAndKind() {
        PolicyRules merged = PolicyRules.merge(List.of(
                PolicyRules.parse("peering = \"read\"\nservice \"web\" { policy = \"read\" }\nkey_prefix \"a\" { policy = \"read\" }"),
                PolicyRules.parse("peering = \"write\"\nservice_prefix \"web\" { policy = \"deny\" }\nkey_prefix \"a\" { policy = \"list\" }"),
                PolicyRules.parse("mesh = \"deny\"\nservice \"web\" { policy = \"write\" intentions = \"deny\" }")));

        assertEquals(WRITE, merged.rule(Resource.PEERING));
        assertEquals(DENY, merged.rule(Resource.MESH));
        assertNull(merged.rule(Resource.OPERATOR));
        assertEquals(Map.of("web", WRITE), merged.exactRules(Resource.SERVICE), "exact and prefix rules merge apart");
        assertEquals(Map.of("web", DENY), merged.prefixRules(Resource.SERVICE));
        assertEquals(Map.of("web", DENY), merged.exactRules(Resource.INTENTION));
        assertEquals(Map.of("a", LIST), merged.prefixRules(Resource.KEY));
    }
}
