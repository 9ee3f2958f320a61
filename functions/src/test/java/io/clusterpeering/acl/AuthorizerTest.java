package io.clusterpeering.acl;

import static io.clusterpeering.acl.AccessLevel.LIST;
import static io.clusterpeering.acl.AccessLevel.READ;
import static io.clusterpeering.acl.AccessLevel.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Consul's authorization: precedence, enforcement, fallbacks, the default policy, aggregates and peer reads. */
class AuthorizerTest {
    private static final String ACCESSOR = "6a1253d2-1785-24fd-91c2-f8e78c745511";
    private static final boolean DEFAULT_DENY = false;
    private static final boolean DEFAULT_ALLOW = true;

    /** An authorizer over one token whose policies have the given rules texts. */
    private static Authorizer token(boolean defaultAllow, String... policies) {
        return Authorizer.of(Arrays.stream(policies).map(PolicyRules::parse).toList(), defaultAllow);
    }

    private static Permission peering(AccessLevel level) {
        return Permission.of(Resource.PEERING, level);
    }

    private static Permission mesh(AccessLevel level) {
        return Permission.of(Resource.MESH, level);
    }

    private static Permission service(String name, AccessLevel level) {
        return Permission.on(Resource.SERVICE, name, level);
    }

    private static Permission intention(String name, AccessLevel level) {
        return Permission.on(Resource.INTENTION, name, level);
    }

    private static Permission key(String name, AccessLevel level) {
        return Permission.on(Resource.KEY, name, level);
    }

    /** Every permission shape: each resource at each level it can be asked for. */
    static List<Permission> everyPermission() {
        List<Permission> all = new ArrayList<>();
        for (Resource resource : Resource.values()) {
            for (AccessLevel level : List.of(READ, LIST, WRITE)) {
                if (level == LIST && !resource.allowsList()) {
                    continue;
                }
                all.add(resource.labelled() ? Permission.on(resource, "web", level) : Permission.of(resource, level));
            }
        }
        return all;
    }

    // ---- enforcement ----

    @ParameterizedTest(name = "rule {0}: read {1}, list {2}, write {3}")
    @CsvSource({
            "write, true,  true,  true",
            "list,  true,  true,  false",
            "read,  true,  false, false",
            "deny,  false, false, false"})
    void aRuleGrantsItsLevelAndTheLevelsBelowIt(String rule, boolean read, boolean list, boolean write) {
        // Under default allow, so that every false below comes from the rule itself.
        Authorizer authz = token(DEFAULT_ALLOW, "key \"k\" { policy = \"" + rule + "\" }");

        assertEquals(read, authz.allowed(key("k", READ)));
        assertEquals(list, authz.allowed(key("k", LIST)));
        assertEquals(write, authz.allowed(key("k", WRITE)));
    }

    // ---- lookup: exact, longest prefix, nothing ----

    @Test
    void anExactRuleBeatsEveryPrefixRule() {
        Authorizer denyWeb = token(DEFAULT_DENY, "service_prefix \"\" { policy = \"write\" }\nservice \"web\" { policy = \"deny\" }");
        Authorizer allowWeb = token(DEFAULT_DENY, "service_prefix \"we\" { policy = \"deny\" }\nservice \"web\" { policy = \"write\" }");

        assertFalse(denyWeb.allowed(service("web", READ)));
        assertTrue(denyWeb.allowed(service("db", WRITE)));
        assertTrue(allowWeb.allowed(service("web", WRITE)));
        assertFalse(allowWeb.allowed(service("west", READ)));
    }

    @Test
    void theLongestMatchingPrefixRuleWins() {
        Authorizer authz = token(DEFAULT_DENY, """
                key_prefix "" { policy = "read" }
                key_prefix "a/" { policy = "write" }
                key_prefix "a/b/" { policy = "deny" }
                """);

        assertFalse(authz.allowed(key("a/b/c", READ)));
        assertFalse(authz.allowed(key("a/b/", READ)), "a prefix matches the name equal to it");
        assertTrue(authz.allowed(key("a/bc", WRITE)));
        assertTrue(authz.allowed(key("z", READ)));
        assertFalse(authz.allowed(key("z", WRITE)));
    }

    @Test
    void theEmptyPrefixMatchesEveryNameIncludingTheEmptyOne() {
        Authorizer authz = token(DEFAULT_DENY, "node_prefix \"\" { policy = \"read\" }");

        assertTrue(authz.allowed(Permission.on(Resource.NODE, "any-node", READ)));
        assertTrue(authz.allowed(Permission.on(Resource.NODE, "", READ)));
        assertFalse(authz.allowed(Permission.on(Resource.NODE, "any-node", WRITE)));
    }

    @Test
    void anExactRuleForAnotherNameNeverAppliesAndLeavesTheDefaultPolicyToDecide() {
        String rules = "service \"web\" { policy = \"write\" }";

        assertFalse(token(DEFAULT_DENY, rules).allowed(service("web2", READ)));
        assertFalse(token(DEFAULT_DENY, rules).allowed(service("we", READ)));
        assertTrue(token(DEFAULT_ALLOW, rules).allowed(service("web2", WRITE)));
    }

    @Test
    void rulesOfOneResourceNeverDecideAnother() {
        Authorizer authz = token(DEFAULT_DENY, "service_prefix \"\" { policy = \"write\" }\nagent_prefix \"\" { policy = \"deny\" }");

        assertFalse(authz.allowed(Permission.on(Resource.NODE, "web", READ)));
        assertFalse(authz.allowed(Permission.on(Resource.SESSION, "web", READ)));
        assertTrue(token(DEFAULT_ALLOW, "agent_prefix \"\" { policy = \"deny\" }").allowed(Permission.on(Resource.EVENT, "e", WRITE)));
    }

    // ---- merge of several policies ----

    @Test
    void policiesMergeWithTheStrongestLevelWinning() {
        assertTrue(token(DEFAULT_DENY, "service \"web\" { policy = \"read\" }", "service \"web\" { policy = \"write\" }")
                .allowed(service("web", WRITE)));
        assertFalse(token(DEFAULT_DENY, "service \"web\" { policy = \"deny\" }", "service \"web\" { policy = \"write\" }")
                .allowed(service("web", READ)));
        assertTrue(token(DEFAULT_DENY, "key \"k\" { policy = \"read\" }", "key \"k\" { policy = \"list\" }")
                .allowed(key("k", LIST)));
        assertFalse(token(DEFAULT_DENY, "peering = \"write\"", "peering = \"deny\"").allowed(peering(READ)));
        assertTrue(token(DEFAULT_DENY, "peering = \"read\"", "mesh = \"write\"").allowed(mesh(WRITE)),
                "different resources from different policies add up");
    }

    @Test
    void aDenyInOnePolicyBeatsAWriteInAnotherOnlyForTheSameNameAndKind() {
        Authorizer authz = token(DEFAULT_DENY,
                "service_prefix \"web\" { policy = \"deny\" }",
                "service \"web\" { policy = \"write\" }");

        assertTrue(authz.allowed(service("web", WRITE)), "the exact rule still beats the (denying) prefix rule");
        assertFalse(authz.allowed(service("web-2", READ)));
    }

    // ---- the default policy ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyPermission")
    void withNoRulesDefaultDenyDeniesEverything(Permission permission) {
        assertFalse(token(DEFAULT_DENY).allowed(permission));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyPermission")
    void withNoRulesDefaultAllowAllowsEverythingButAcl(Permission permission) {
        assertEquals(permission.resource() != Resource.ACL, token(DEFAULT_ALLOW).allowed(permission));
    }

    @Test
    void underDefaultAllowOnlyAnAclRuleGrantsAcl() {
        Authorizer reader = token(DEFAULT_ALLOW, "acl = \"read\"");

        assertTrue(reader.allowed(Permission.of(Resource.ACL, READ)));
        assertFalse(reader.allowed(Permission.of(Resource.ACL, WRITE)));
        assertTrue(token(DEFAULT_ALLOW, "acl = \"write\"").allowed(Permission.of(Resource.ACL, WRITE)));
    }

    @Test
    void allowAllAllowsEverythingIncludingAclAsConsulDoesWithAclsDisabled() {
        Authorizer authz = Authorizer.allowAll();

        for (Permission permission : everyPermission()) {
            assertTrue(authz.allowed(permission), permission.text());
        }
        assertTrue(authz.serviceReadAll() && authz.nodeReadAll() && authz.serviceWriteAny()
                && authz.importedServiceRead() && authz.importedNodeRead());
    }

    @Test
    void globalManagementAllowsEverythingUnderDefaultDeny() {
        Authorizer authz = token(DEFAULT_DENY, PolicyRules.GLOBAL_MANAGEMENT_RULES);

        for (Permission permission : everyPermission()) {
            assertTrue(authz.allowed(permission), permission.text());
        }
        assertTrue(authz.allowed(intention("*", WRITE)));
        assertTrue(authz.serviceReadAll() && authz.nodeReadAll() && authz.serviceWriteAny()
                && authz.importedServiceRead() && authz.importedNodeRead());
    }

    // ---- peering and mesh fall back to operator (reference §6) ----

    static Stream<Arguments> peeringAndMeshFallback() {
        return Stream.of(
                // peering = "read" + operator = "write": peering's own rule decides, write is denied
                Arguments.of("peering = \"read\"\noperator = \"write\"", DEFAULT_DENY, peering(WRITE), false),
                Arguments.of("peering = \"read\"\noperator = \"write\"", DEFAULT_DENY, peering(READ), true),
                // operator = "write" alone: operator decides peering
                Arguments.of("operator = \"write\"", DEFAULT_DENY, peering(WRITE), true),
                Arguments.of("operator = \"write\"", DEFAULT_DENY, peering(READ), true),
                // peering = "deny" + operator = "write": deny is a rule too
                Arguments.of("peering = \"deny\"\noperator = \"write\"", DEFAULT_DENY, peering(WRITE), false),
                Arguments.of("peering = \"deny\"\noperator = \"write\"", DEFAULT_ALLOW, peering(READ), false),
                // no rules: the default policy
                Arguments.of("", DEFAULT_ALLOW, peering(WRITE), true),
                Arguments.of("", DEFAULT_DENY, peering(READ), false),
                // operator = "read" decides, even under default allow
                Arguments.of("operator = \"read\"", DEFAULT_ALLOW, peering(WRITE), false),
                Arguments.of("operator = \"read\"", DEFAULT_DENY, peering(READ), true),
                Arguments.of("peering = \"write\"\noperator = \"deny\"", DEFAULT_DENY, peering(WRITE), true),
                // the same for mesh
                Arguments.of("mesh = \"read\"\noperator = \"write\"", DEFAULT_DENY, mesh(WRITE), false),
                Arguments.of("operator = \"write\"", DEFAULT_DENY, mesh(WRITE), true),
                Arguments.of("mesh = \"deny\"\noperator = \"write\"", DEFAULT_ALLOW, mesh(READ), false),
                Arguments.of("", DEFAULT_ALLOW, mesh(WRITE), true),
                Arguments.of("peering = \"write\"", DEFAULT_DENY, mesh(READ), false));
    }

    @ParameterizedTest(name = "[{0}] default allow {1}: {2} -> {3}")
    @MethodSource("peeringAndMeshFallback")
    void peeringAndMeshUseTheirOwnRuleThenOperatorThenTheDefault(String rules, boolean defaultAllow,
                                                                  Permission permission, boolean allowed) {
        assertEquals(allowed, token(defaultAllow, rules).allowed(permission));
    }

    @Test
    void operatorIsNeverTheFallbackForOtherResources() {
        Authorizer authz = token(DEFAULT_DENY, "operator = \"write\"");

        assertFalse(authz.allowed(Permission.of(Resource.ACL, READ)));
        assertFalse(authz.allowed(Permission.of(Resource.KEYRING, READ)));
        assertFalse(authz.allowed(service("web", READ)));
    }

    // ---- intentions ----

    @Test
    void aServiceRuleWithoutIntentionsGrantsIntentionReadOnly() {
        Authorizer authz = token(DEFAULT_DENY, "service \"web\" { policy = \"write\" }\nservice_prefix \"api\" { policy = \"read\" }");

        assertTrue(authz.allowed(intention("web", READ)));
        assertFalse(authz.allowed(intention("web", WRITE)));
        assertTrue(authz.allowed(intention("api-v2", READ)));
        assertFalse(authz.allowed(intention("api-v2", WRITE)));
    }

    @Test
    void aDenyingServiceRuleDeniesIntentionsEvenUnderDefaultAllow() {
        Authorizer authz = token(DEFAULT_ALLOW, "service \"web\" { policy = \"deny\" }");

        assertFalse(authz.allowed(intention("web", READ)));
        assertTrue(authz.allowed(intention("db", WRITE)), "other names: the default policy");
    }

    @Test
    void explicitIntentionsOverrideTheDerivedLevel() {
        Authorizer authz = token(DEFAULT_DENY, """
                service "web" { policy = "read" intentions = "write" }
                service "db" { policy = "write" intentions = "deny" }
                """);

        assertTrue(authz.allowed(intention("web", WRITE)));
        assertFalse(authz.allowed(intention("db", READ)));
        assertTrue(authz.allowed(service("db", WRITE)), "intentions never change the service level");
    }

    @Test
    void intentionsFollowTheServiceRuleThatAppliesToTheName() {
        Authorizer authz = token(DEFAULT_DENY, """
                service_prefix "" { policy = "read" intentions = "write" }
                service "db" { policy = "write" }
                """);

        assertTrue(authz.allowed(intention("anything", WRITE)));
        assertFalse(authz.allowed(intention("db", WRITE)), "the exact rule's derived read beats the prefix's write");
    }

    @Test
    void intentionsAreMergedBeforeBeingDerivedAsConsulDoes() {
        // Consul merges policy and intentions separately, then derives intentions only where none was stated:
        // the stated "write" survives even though the merged service policy is deny.
        Authorizer authz = token(DEFAULT_DENY,
                "service \"web\" { policy = \"deny\" }",
                "service \"web\" { policy = \"read\" intentions = \"write\" }");

        assertFalse(authz.allowed(service("web", READ)));
        assertTrue(authz.allowed(intention("web", WRITE)));
    }

    @Test
    void intentionWriteOnTheWildcardNeedsEveryIntentionRuleToGrantWrite() {
        String all = "service_prefix \"\" { policy = \"read\" intentions = \"write\" }";

        assertTrue(token(DEFAULT_DENY, all).allowed(intention("*", WRITE)));
        assertFalse(token(DEFAULT_DENY, all, "service \"db\" { policy = \"read\" }").allowed(intention("*", WRITE)));
        assertFalse(token(DEFAULT_DENY, "service \"web\" { policy = \"read\" intentions = \"write\" }")
                .allowed(intention("*", WRITE)), "no \"\" prefix rule: the default policy (deny)");
        assertTrue(token(DEFAULT_ALLOW, "service \"web\" { policy = \"read\" intentions = \"write\" }")
                .allowed(intention("*", WRITE)), "no \"\" prefix rule: the default policy (allow)");
    }

    @Test
    void intentionReadOnTheWildcardNeedsAnyIntentionRuleToGrantRead() {
        assertTrue(token(DEFAULT_DENY, "service \"web\" { policy = \"read\" }").allowed(intention("*", READ)));
        assertFalse(token(DEFAULT_ALLOW, "service_prefix \"\" { policy = \"deny\" }").allowed(intention("*", READ)));
        assertFalse(token(DEFAULT_DENY).allowed(intention("*", READ)));
        assertTrue(token(DEFAULT_ALLOW).allowed(intention("*", READ)));
    }

    // ---- aggregates ----

    static Stream<Arguments> serviceReadAllCases() {
        return Stream.of(
                Arguments.of("service_prefix \"\" { policy = \"read\" }", DEFAULT_DENY, true),
                Arguments.of("service_prefix \"\" { policy = \"write\" }", DEFAULT_DENY, true),
                Arguments.of("service_prefix \"\" { policy = \"read\" }\nservice \"db\" { policy = \"write\" }", DEFAULT_DENY, true),
                Arguments.of("service_prefix \"\" { policy = \"read\" }\nservice \"db\" { policy = \"deny\" }", DEFAULT_DENY, false),
                Arguments.of("service_prefix \"\" { policy = \"read\" }\nservice_prefix \"x\" { policy = \"deny\" }", DEFAULT_ALLOW, false),
                Arguments.of("service_prefix \"\" { policy = \"deny\" }", DEFAULT_ALLOW, false),
                Arguments.of("service \"web\" { policy = \"read\" }", DEFAULT_DENY, false),
                Arguments.of("service \"web\" { policy = \"read\" }", DEFAULT_ALLOW, true),
                Arguments.of("service \"web\" { policy = \"deny\" }", DEFAULT_ALLOW, false),
                Arguments.of("", DEFAULT_DENY, false),
                Arguments.of("", DEFAULT_ALLOW, true));
    }

    @ParameterizedTest(name = "[{0}] default allow {1} -> {2}")
    @MethodSource("serviceReadAllCases")
    void serviceReadAllNeedsTheEmptyPrefixToGrantReadAndNoRuleToRefuseIt(String rules, boolean defaultAllow, boolean expected) {
        assertEquals(expected, token(defaultAllow, rules).serviceReadAll());
    }

    @Test
    void nodeReadAllFollowsTheSameRulesOverNodeRules() {
        assertTrue(token(DEFAULT_DENY, "node_prefix \"\" { policy = \"read\" }").nodeReadAll());
        assertFalse(token(DEFAULT_DENY, "node_prefix \"\" { policy = \"read\" }\nnode \"n1\" { policy = \"deny\" }").nodeReadAll());
        assertFalse(token(DEFAULT_DENY, "service_prefix \"\" { policy = \"read\" }").nodeReadAll());
        assertTrue(token(DEFAULT_ALLOW, "service_prefix \"\" { policy = \"deny\" }").nodeReadAll());
    }

    static Stream<Arguments> serviceWriteAnyCases() {
        return Stream.of(
                Arguments.of("service \"web\" { policy = \"write\" }", DEFAULT_DENY, true),
                Arguments.of("service_prefix \"a\" { policy = \"write\" }", DEFAULT_DENY, true),
                Arguments.of("service_prefix \"\" { policy = \"read\" }\nservice \"web\" { policy = \"write\" }", DEFAULT_DENY, true),
                Arguments.of("service_prefix \"\" { policy = \"read\" }", DEFAULT_ALLOW, false),
                Arguments.of("service \"web\" { policy = \"read\" }", DEFAULT_DENY, false),
                Arguments.of("service \"web\" { policy = \"read\" }", DEFAULT_ALLOW, true),
                Arguments.of("", DEFAULT_DENY, false),
                Arguments.of("", DEFAULT_ALLOW, true));
    }

    @ParameterizedTest(name = "[{0}] default allow {1} -> {2}")
    @MethodSource("serviceWriteAnyCases")
    void serviceWriteAnyNeedsSomeServiceRuleGrantingWrite(String rules, boolean defaultAllow, boolean expected) {
        assertEquals(expected, token(defaultAllow, rules).serviceWriteAny());
    }

    // ---- reads of data imported from a peer (reference §5) ----

    @Test
    void aServiceReadRuleAloneSeesNoImportedInstances() {
        // reference §9 case 19
        Authorizer authz = token(DEFAULT_DENY, "service \"web\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");

        assertTrue(authz.allowed(service("web", READ)));
        assertFalse(authz.allowed(service("db", READ)), "db is filtered out of a local read");
        assertFalse(authz.importedServiceRead());
        assertTrue(authz.importedNodeRead());
    }

    @Test
    void aServiceIdentityTokenSeesImportedInstances() {
        Authorizer authz = Authorizer.of(List.of(PolicyRules.serviceIdentity("web")), DEFAULT_DENY);

        assertTrue(authz.importedServiceRead());
        assertTrue(authz.importedNodeRead());
    }

    @Test
    void writeOnAnyServiceIsEnoughForImportedServicesAndNodes() {
        Authorizer authz = token(DEFAULT_DENY, "service \"web\" { policy = \"write\" }");

        assertTrue(authz.importedServiceRead());
        assertTrue(authz.importedNodeRead());
        assertFalse(authz.nodeReadAll());
    }

    @Test
    void readAllGivesImportedReadsSeparatelyForServicesAndNodes() {
        Authorizer observer = token(DEFAULT_DENY, "service_prefix \"\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
        Authorizer servicesOnly = token(DEFAULT_DENY, "service_prefix \"\" { policy = \"read\" }");

        assertTrue(observer.importedServiceRead());
        assertTrue(observer.importedNodeRead());
        assertTrue(servicesOnly.importedServiceRead());
        assertFalse(servicesOnly.importedNodeRead());
    }

    @Test
    void importedReadsFallToTheDefaultPolicyOnlyWhenTheRulesDecideNothing() {
        assertTrue(token(DEFAULT_ALLOW).importedServiceRead());
        assertTrue(token(DEFAULT_ALLOW).importedNodeRead());
        assertFalse(token(DEFAULT_DENY).importedServiceRead());
        // Default allow would let serviceWriteAny() pass, but Consul uses the rules' own write-any decision here,
        // so a denying service rule still hides imported services.
        Authorizer authz = token(DEFAULT_ALLOW, "service \"web\" { policy = \"deny\" }");
        assertTrue(authz.serviceWriteAny());
        assertFalse(authz.importedServiceRead());
        assertTrue(authz.importedNodeRead());
    }

    // ---- reference §9 cases at the authorizer level ----

    @Test
    void case6PeeringReadTokenCannotGenerateTokensButCanList() {
        Authorizer authz = token(DEFAULT_DENY, "peering = \"read\"");

        assertFalse(authz.allowed(peering(WRITE)));
        assertEquals("Permission denied: token with AccessorID '" + ACCESSOR + "' lacks permission 'peering:write'",
                Denials.permissionDenied(ACCESSOR, peering(WRITE)));
        assertTrue(authz.allowed(peering(READ)));
    }

    @Test
    void case7OperatorWriteAloneAllowsPeeringWriteButNotBesidePeeringRead() {
        assertTrue(token(DEFAULT_DENY, "operator = \"write\"").allowed(peering(WRITE)));
        Permission asked = peering(WRITE);
        assertFalse(token(DEFAULT_DENY, "peering = \"read\"\noperator = \"write\"").allowed(asked));
        assertTrue(Denials.permissionDenied(ACCESSOR, asked).endsWith("lacks permission 'peering:write'"),
                "the denial names peering, never operator");
    }

    @Test
    void case20ServiceWriteIsNotIntentionWrite() {
        Permission asked = intention("web", WRITE);

        assertFalse(token(DEFAULT_DENY, "service \"web\" { policy = \"write\" }").allowed(asked));
        assertEquals("Permission denied: token with AccessorID '" + ACCESSOR + "' lacks permission 'intention:write' on \"web\"",
                Denials.permissionDenied(ACCESSOR, asked));
        assertTrue(token(DEFAULT_DENY, "service \"web\" { policy = \"write\" intentions = \"write\" }").allowed(asked));
    }

    @Test
    void case21MeshReadTokenReadsButCannotWrite() {
        Authorizer authz = token(DEFAULT_DENY, "mesh = \"read\"");

        assertFalse(authz.allowed(mesh(WRITE)));
        assertEquals("Permission denied: token with AccessorID '" + ACCESSOR + "' lacks permission 'mesh:write'",
                Denials.permissionDenied(ACCESSOR, mesh(WRITE)));
        assertTrue(authz.allowed(mesh(READ)));
    }

    @Test
    void case23DefaultAllowAnonymousReadsPeeringsButNotAcls() {
        Authorizer anonymous = Authorizer.of(List.of(), DEFAULT_ALLOW);
        Permission aclRead = Permission.of(Resource.ACL, READ);

        assertTrue(anonymous.allowed(peering(READ)));
        assertFalse(anonymous.allowed(aclRead));
        assertEquals("Permission denied: anonymous token lacks permission 'acl:read'. The anonymous token is used"
                        + " implicitly when a request does not specify a token.",
                Denials.permissionDenied(Denials.ANONYMOUS_ACCESSOR_ID, aclRead));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"peering = \"write\"\nmesh = \"write\"\noperator = \"read\"",
            "{\"peering\": \"write\", \"mesh\": \"write\", \"operator\": \"read\"}"})
    void thePeeringOperatorExamplePolicyDoesWhatItSays(String rules) {
        Authorizer authz = token(DEFAULT_DENY, rules);

        assertTrue(authz.allowed(peering(WRITE)));
        assertTrue(authz.allowed(mesh(WRITE)));
        assertTrue(authz.allowed(Permission.of(Resource.OPERATOR, READ)));
        assertFalse(authz.allowed(Permission.of(Resource.OPERATOR, WRITE)));
        assertFalse(authz.allowed(Permission.of(Resource.ACL, READ)));
    }
}
