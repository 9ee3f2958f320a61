package io.clusterpeering.service;

import io.clusterpeering.acl.AclPolicy;
import io.clusterpeering.acl.AclToken;
import io.clusterpeering.acl.AclToken.NodeIdentity;
import io.clusterpeering.acl.AclToken.ServiceIdentity;
import io.clusterpeering.acl.InvalidRulesException;
import io.clusterpeering.acl.PolicyRules;
import io.clusterpeering.domain.GoDurations;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.http.ErrorResponses;
import io.clusterpeering.service.AclRequests.BootstrapBody;
import io.clusterpeering.service.AclRequests.CheckedToken;
import io.clusterpeering.service.AclRequests.Link;
import io.clusterpeering.service.AclRequests.PolicyBody;
import io.clusterpeering.service.AclRequests.TokenBody;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ACL bodies validate themselves, with the texts the ACL service used to write (each a 400 naming the
 * field), in the order it checked them. Bodies are decoded from JSON as the handlers decode them. No store.
 */
class AclRequestsTest {
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration MIN = Duration.ofMinutes(1);
    private static final Duration MAX = Duration.ofHours(24);
    private static final String ID = "6a1253d2-1785-24fd-91c2-f8e78c745511";
    private static final String OTHER_ID = "9b7e3a1c-0d4f-4e2a-8c6b-5f1e2d3c4b5a";
    private static final String RESERVED = "00000000-0000-0000-0000-000000000009";

    private static PolicyBody policy(String json) {
        return ConsulJson.readStrict(json, PolicyBody.class, "Policy");
    }

    private static TokenBody token(String json) {
        return ConsulJson.readStrict(json, TokenBody.class, "Token");
    }

    private static CheckedToken create(String json) {
        return token(json).validatedForCreate(NOW, MIN, MAX);
    }

    /** Asserts a 400 with exactly this message, as the client sees it. */
    private static void refused(String message, Executable check) {
        InvalidRequest e = assertThrows(InvalidRequest.class, check);
        assertEquals(message, e.getMessage());
        var answer = ErrorResponses.of(e, "r");
        assertEquals(400, answer.getStatusCode());
        assertEquals(message, answer.getBody().strip());
    }

    // ---- policies ----------------------------------------------------------------------------------------

    @Test
    void aPolicyCreateRefusesAnIdBeforeLookingAtTheName() {
        refused("Cannot specify the ID when creating a new policy", () -> policy("{\"ID\":\"x\",\"Name\":\"a b\"}").validatedForCreate());
    }

    @Test
    void aPolicyNeedsAConsulName() {
        refused("Invalid Policy: no Name is set", () -> policy("{}").validatedForCreate());
        refused("Invalid Policy: no Name is set", () -> policy("{\"Name\":\"  \"}").validatedForUpdate("p"));
        String invalid = "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed";
        refused(invalid, () -> policy("{\"Name\":\"a b\"}").validatedForCreate());
        refused(invalid, () -> policy("{\"Name\":\"" + "n".repeat(129) + "\"}").validatedForCreate());
        assertEquals("n".repeat(128), policy("{\"Name\":\"" + "n".repeat(128) + "\"}").validatedForCreate().name());
        assertEquals("read-only_2", policy("{\"Name\":\"read-only_2\"}").validatedForCreate().name());
    }

    @Test
    void policyRulesMustParseAndTheErrorIsTheParsersNamingTheLine() {
        String rules = "service \"web\" {\n  policy = \"sideways\"\n}";
        InvalidRulesException parser = assertThrows(InvalidRulesException.class, () -> PolicyRules.parse(rules));
        refused(parser.getMessage(), () -> policy("{\"Name\":\"p\",\"Rules\":" + ConsulJson.write(rules, false) + "}")
                .validatedForCreate());
    }

    @Test
    void anEmptyDatacenterNameIsNamedByItsPosition() {
        refused("Datacenters[1]: a datacenter name cannot be empty",
                () -> policy("{\"Name\":\"p\",\"Datacenters\":[\"dc1\",\"\"]}").validatedForCreate());
    }

    @Test
    void aValidatedPolicyHasRulesAndDatacentersNeverNull() {
        PolicyBody valid = policy("{\"Name\":\"p\",\"Description\":\"d\"}").validatedForCreate();
        assertEquals("", valid.rules());
        assertEquals(List.of(), valid.datacenters());
        assertEquals("d", valid.description());
    }

    @Test
    void aPolicyUpdateAcceptsTheUrlsIdOrNone() {
        refused("Policy ID in URL and payload do not match", () -> policy("{\"ID\":\"a\",\"Name\":\"p\"}").validatedForUpdate("b"));
        assertEquals("p", policy("{\"ID\":\"b\",\"Name\":\"p\"}").validatedForUpdate("b").name());
        assertEquals("p", policy("{\"Name\":\"p\"}").validatedForUpdate("b").name());
    }

    @Test
    void theBuiltinPolicyKeepsItsRulesAndDatacenters() {
        AclPolicy builtin = new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME, "",
                PolicyRules.GLOBAL_MANAGEMENT_RULES, List.of(), "h", 1, 1);
        String rules = ConsulJson.write(PolicyRules.GLOBAL_MANAGEMENT_RULES, false);
        refused("Changing the Rules for the builtin global-management policy is not permitted",
                () -> policy("{\"Name\":\"renamed\"}").validatedForUpdate(builtin.id()).requireBuiltinUnchanged(builtin));
        refused("Changing the Datacenters of the builtin global-management policy is not permitted",
                () -> policy("{\"Name\":\"renamed\",\"Rules\":" + rules + ",\"Datacenters\":[\"dc1\"]}")
                        .validatedForUpdate(builtin.id()).requireBuiltinUnchanged(builtin));
        assertDoesNotThrow(() -> policy("{\"Name\":\"renamed\",\"Description\":\"new\",\"Rules\":" + rules + "}")
                .validatedForUpdate(builtin.id()).requireBuiltinUnchanged(builtin));
        AclPolicy ordinary = new AclPolicy(OTHER_ID, "p", "", "", List.of(), "h", 1, 1);
        assertDoesNotThrow(() -> policy("{\"Name\":\"p\",\"Rules\":\"acl = \\\"read\\\"\",\"Datacenters\":[\"dc2\"]}")
                .validatedForUpdate(ordinary.id()).requireBuiltinUnchanged(ordinary));
    }

    // ---- bootstrap ---------------------------------------------------------------------------------------

    @Test
    void aBootstrapSecretIsAUuidOrAbsent() {
        assertEquals(Optional.empty(), new BootstrapBody(null).validatedSecret());
        assertEquals(Optional.empty(), new BootstrapBody(" ").validatedSecret());
        assertEquals(Optional.of(ID), new BootstrapBody(ID).validatedSecret());
        refused("BootstrapSecret - not a valid UUID", () -> new BootstrapBody("root").validatedSecret());
    }

    // ---- token create ------------------------------------------------------------------------------------

    @Test
    void chosenIdsMustBeUuidsOutsideConsulsReservedRange() {
        refused("Invalid Token: AccessorID - not a valid UUID", () -> create("{\"AccessorID\":\"x\"}"));
        refused("Invalid Token: SecretID - not a valid UUID", () -> create("{\"SecretID\":\"x\"}"));
        refused("Invalid Token: AccessorID - UUIDs with the prefix \"00000000-0000-0000-0000-0000000000\" are reserved",
                () -> create("{\"AccessorID\":\"" + RESERVED + "\"}"));
        refused("Invalid Token: SecretID - UUIDs with the prefix \"00000000-0000-0000-0000-0000000000\" are reserved",
                () -> create("{\"SecretID\":\"" + RESERVED + "\"}"));
        CheckedToken chosen = create("{\"AccessorID\":\"" + ID + "\",\"SecretID\":\"" + OTHER_ID.toUpperCase() + "\"}");
        assertEquals(ID, chosen.accessorId());
        assertEquals(OTHER_ID.toUpperCase(), chosen.secretId());
        CheckedToken random = create("{\"AccessorID\":\"\"}");
        assertNull(random.accessorId());
        assertNull(random.secretId());
    }

    @Test
    void rolesTemplatedPoliciesAndAuthMethodsAreRefused() {
        refused("Roles: ACL roles are not supported by this server; link policies instead",
                () -> create("{\"Roles\":[{\"Name\":\"r\"}]}"));
        refused("TemplatedPolicies: templated policies are not supported by this server",
                () -> create("{\"TemplatedPolicies\":[{}]}"));
        refused("AuthMethod field is disallowed outside of login", () -> create("{\"AuthMethod\":\"m\"}"));
        assertDoesNotThrow(() -> create("{\"Roles\":[],\"TemplatedPolicies\":[],\"AuthMethod\":\"\"}"));
    }

    @Test
    void aBadAccessorIdIsReportedBeforeAnUnsupportedField() {
        refused("Invalid Token: AccessorID - not a valid UUID", () -> create("{\"AccessorID\":\"x\",\"Roles\":[{}]}"));
    }

    @Test
    void anExpirationIsATtlOrATimeWithinTheConfiguredRange() {
        refused("Token Expiration TTL and Expiration Time cannot both be set",
                () -> create("{\"ExpirationTTL\":\"1h\",\"ExpirationTime\":\"2030-01-01T01:00:00Z\"}"));
        refused("Token Expiration TTL '-1s' should be > 0", () -> create("{\"ExpirationTTL\":\"-1s\"}"));
        refused("Token Expiration TTL '-1000000000' should be > 0", () -> create("{\"ExpirationTTL\":-1000000000}"));
        String parser = assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("soon")).getMessage();
        refused("ExpirationTTL: " + parser, () -> create("{\"ExpirationTTL\":\"soon\"}"));
        refused("ExpirationTime: \"tomorrow\" is not an RFC 3339 time", () -> create("{\"ExpirationTime\":\"tomorrow\"}"));
        refused("ExpirationTime cannot be before CreateTime", () -> create("{\"ExpirationTime\":\"2029-12-31T23:59:59Z\"}"));
        refused("ExpirationTime cannot be less than 1m0s in the future (was 30s)", () -> create("{\"ExpirationTTL\":\"30s\"}"));
        refused("ExpirationTime cannot be more than 24h0m0s in the future (was 48h0m0s)",
                () -> create("{\"ExpirationTTL\":\"48h\"}"));
        assertEquals(NOW.plus(Duration.ofHours(1)), create("{\"ExpirationTTL\":\"1h\"}").expirationTime());
        assertEquals(NOW.plus(Duration.ofHours(2)), create("{\"ExpirationTTL\":7200000000000}").expirationTime());
        assertEquals(Instant.parse("2030-01-01T03:00:00Z"),
                create("{\"ExpirationTime\":\"2030-01-01T04:00:00+01:00\"}").expirationTime());
        for (String none : List.of("\"\"", "\"0s\"", "\"0\"", "0")) {
            assertNull(create("{\"ExpirationTTL\":" + none + "}").expirationTime(), none);
        }
    }

    @Test
    void serviceIdentitiesNeedConsulsServiceNames() {
        String invalid = " has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed";
        refused("Service identity \"Web\"" + invalid, () -> create("{\"ServiceIdentities\":[{\"ServiceName\":\"Web\"}]}"));
        refused("Service identity \"web-\"" + invalid, () -> create("{\"ServiceIdentities\":[{\"ServiceName\":\"web-\"}]}"));
        refused("Service identity \"\"" + invalid, () -> create("{\"ServiceIdentities\":[{}]}"));
        refused("Service identity \"\"" + invalid, () -> create("{\"ServiceIdentities\":[null]}"));
        String long257 = "w".repeat(257);
        refused("Service identity \"" + long257 + "\"" + invalid,
                () -> create("{\"ServiceIdentities\":[{\"ServiceName\":\"" + long257 + "\"}]}"));
        assertEquals(List.of(new ServiceIdentity("web_api-2", List.of("dc1"))),
                create("{\"ServiceIdentities\":[{\"ServiceName\":\"web_api-2\",\"Datacenters\":[\"dc1\"]}]}").serviceIdentities());
    }

    @Test
    void nodeIdentitiesNeedANodeAndADatacenter() {
        refused("NodeIdentities: a node identity needs a NodeName", () -> create("{\"NodeIdentities\":[{\"Datacenter\":\"dc1\"}]}"));
        refused("NodeIdentities: a node identity needs a NodeName", () -> create("{\"NodeIdentities\":[null]}"));
        refused("Node identity is missing the datacenter field on this token",
                () -> create("{\"NodeIdentities\":[{\"NodeName\":\"n1\"}]}"));
        assertEquals(List.of(new NodeIdentity("n1", "dc1")),
                create("{\"NodeIdentities\":[{\"NodeName\":\"n1\",\"Datacenter\":\"dc1\"}]}").nodeIdentities());
    }

    @Test
    void aPolicyLinkNamesItsPolicyByIdOrName() {
        refused("Policies[2]: a policy link needs an ID or a Name", () -> Link.EMPTY.validated(2));
        refused("Policies[0]: a policy link needs an ID or a Name", () -> new Link(" ", "").validated(0));
        assertTrue(new Link("i", "n").validated(0).byId());
        assertEquals(false, new Link(null, "n").validated(0).byId());
    }

    // ---- token update ------------------------------------------------------------------------------------

    @Test
    void anUpdateTakesTheUrlsAccessorIdAndChecksTheSameFields() {
        refused("Token Accessor ID in URL and payload do not match",
                () -> token("{\"AccessorID\":\"" + OTHER_ID + "\"}").validatedForUpdate(ID));
        refused("Roles: ACL roles are not supported by this server; link policies instead",
                () -> token("{\"Roles\":[{\"ID\":\"r\"}]}").validatedForUpdate(ID));
        refused("NodeIdentities: a node identity needs a NodeName", () -> token("{\"NodeIdentities\":[{}]}").validatedForUpdate(ID));
        CheckedToken valid = token("{\"AccessorID\":\"" + ID + "\",\"ExpirationTTL\":\"1h\"}").validatedForUpdate(ID);
        assertEquals(ID, valid.accessorId());
        assertNull(valid.expirationTime(), "an update never sets an expiration");
    }

    @Test
    void anUpdateKeepsTheSecretLocalModeAndExpiration() {
        Instant expiry = Instant.parse("2030-01-01T10:00:00Z");
        AclToken existing = new AclToken(ID, AclResolver.secretHash(OTHER_ID), null, "", List.of(), List.of(),
                List.of(), false, expiry, NOW, "h", 1, 1);
        refused("Changing a token's SecretID is not permitted",
                () -> token("{\"SecretID\":\"" + ID + "\"}").requireUnchangedFrom(existing));
        refused("Cannot toggle local mode of " + ID, () -> token("{\"Local\":true}").requireUnchangedFrom(existing));
        refused("Cannot change expiration time of " + ID,
                () -> token("{\"ExpirationTime\":\"2030-01-01T11:00:00Z\"}").requireUnchangedFrom(existing));
        refused("Cannot change expiration time of " + ID, () -> token("{\"ExpirationTTL\":\"1h\"}").requireUnchangedFrom(existing));
        refused("ExpirationTime: \"later\" is not an RFC 3339 time",
                () -> token("{\"ExpirationTime\":\"later\"}").requireUnchangedFrom(existing));
        assertDoesNotThrow(() -> token("{\"SecretID\":\"" + OTHER_ID + "\",\"Local\":false,"
                + "\"ExpirationTime\":\"2030-01-01T10:00:00Z\",\"ExpirationTTL\":0}").requireUnchangedFrom(existing));
    }
}
