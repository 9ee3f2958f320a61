package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.ConsulHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.clusterpeering.support.AclFlow.bootstrap;
import static io.clusterpeering.support.AclFlow.denied;
import static io.clusterpeering.support.AclFlow.deniedAnonymous;
import static io.clusterpeering.support.AclFlow.policy;
import static io.clusterpeering.support.AclFlow.secret;
import static io.clusterpeering.support.AclFlow.token;
import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Consul's ACL API and enforcement through HTTP on one cluster with ACLs on and default deny: the test cases of
 * the ACL reference (§9), token and policy lifecycles, and where SecretIDs may and may not appear. Every answer
 * is checked against the OpenAPI document.
 */
class AclApiTest {
    private static LocalCluster cluster;
    private static ConsulHttp anonymous;
    private static ConsulHttp management;
    private static String managementSecret;

    @BeforeAll
    static void startAndBootstrap() {
        cluster = io.clusterpeering.support.AclFlow.startCluster("dc1", "deny", Map.of());
        anonymous = client(cluster).withToken(null);
        managementSecret = bootstrap(anonymous);
        management = anonymous.withToken(managementSecret);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void requestWithoutTokenIsAnonymousAndDeniedWithConsulsText() {
        HttpResponse<String> response = anonymous.get("/v1/peerings");

        assertEquals(403, response.statusCode());
        assertEquals(deniedAnonymous("peering:read"), response.body());
        assertEquals("text/plain; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("deny", response.headers().firstValue("X-Consul-Default-ACL-Policy").orElseThrow());
    }

    @Test
    void unknownSecretIsAclNotFound() {
        HttpResponse<String> response = anonymous.withToken("11111111-2222-3333-4444-555555555555").get("/v1/peerings");

        assertEquals(403, response.statusCode());
        assertEquals("ACL not found", response.body());
    }

    @Test
    void tokenIsTakenFromQueryHeaderOrBearerWithConsulsPrecedence() {
        assertEquals(200, anonymous.get("/v1/acl/tokens?token=" + managementSecret).statusCode());
        assertEquals(200, bearer("Bearer " + managementSecret).statusCode());
        assertEquals(200, bearer("bearer " + managementSecret).statusCode());

        HttpResponse<String> queryWins = management.get("/v1/acl/tokens?token=bad");
        assertEquals(403, queryWins.statusCode());
        assertEquals("ACL not found", queryWins.body());
    }

    private HttpResponse<String> bearer(String authorization) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(anonymous.baseUrl() + "/v1/acl/tokens"))
                    .header("Authorization", authorization).GET().build();
            return java.net.http.HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void peeringReadTokenListsButCannotGenerate() {
        JsonNode reader = token(management, "peering = \"read\"");
        ConsulHttp client = anonymous.withToken(reader.get("SecretID").asText());

        HttpResponse<String> generate = client.post("/v1/peering/token", "{\"PeerName\":\"p1\"}");
        assertEquals(403, generate.statusCode());
        assertEquals(denied(reader.get("AccessorID").asText(), "peering:write"), generate.body());
        assertEquals(200, client.get("/v1/peerings").statusCode());
    }

    @Test
    void operatorWriteGrantsPeeringWriteOnlyWhenNoPeeringRuleExists() {
        ConsulHttp operator = anonymous.withToken(secret(management, "operator = \"write\""));
        assertEquals(200, operator.post("/v1/peering/token", "{\"PeerName\":\"by-operator\"}").statusCode());

        JsonNode both = token(management, "peering = \"read\"\noperator = \"write\"");
        HttpResponse<String> denied = anonymous.withToken(both.get("SecretID").asText())
                .post("/v1/peering/token", "{\"PeerName\":\"by-reader\"}");
        assertEquals(403, denied.statusCode());
        assertEquals(denied(both.get("AccessorID").asText(), "peering:write"), denied.body());
    }

    @Test
    void policiesAreCreatedOnceByNameAndValidatedAsConsulWith400s() {
        String name = "p-" + UUID.randomUUID().toString().substring(0, 6);
        HttpResponse<String> created = management.put("/v1/acl/policy",
                "{\"Name\":\"" + name + "\",\"Rules\":\"peering = \\\"write\\\"\"}");
        assertEquals(200, created.statusCode(), created.body());
        JsonNode policy = json(created.body());
        assertTrue(policy.get("ID").asText().matches("[0-9a-f-]{36}"));
        assertFalse(policy.get("Hash").asText().isEmpty());
        assertEquals(policy.get("CreateIndex").asLong(), policy.get("ModifyIndex").asLong());

        HttpResponse<String> again = management.put("/v1/acl/policy",
                "{\"Name\":\"" + name.toUpperCase() + "\",\"Rules\":\"\"}");
        assertEquals(400, again.statusCode());
        assertEquals("Invalid Policy: A Policy with Name \"" + name.toUpperCase() + "\" already exists", again.body());

        assertBadRequest(management.put("/v1/acl/policy", "{\"Name\":\"bad name\"}"),
                "Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
        assertBadRequest(management.put("/v1/acl/policy", "{\"Rules\":\"\"}"), "Invalid Policy: no Name is set");
        HttpResponse<String> badLevel = management.put("/v1/acl/policy", "{\"Name\":\"x1\",\"Rules\":\"peering = \\\"admin\\\"\"}");
        assertEquals(400, badLevel.statusCode());
        assertTrue(badLevel.body().startsWith("Invalid peering policy"), badLevel.body());
        HttpResponse<String> badSyntax = management.put("/v1/acl/policy",
                "{\"Name\":\"x2\",\"Rules\":\"peering = \\\"read\\\"\\nservice \\\"web\\\" {\\n  policy = \\n}\"}");
        assertEquals(400, badSyntax.statusCode());
        assertTrue(badSyntax.body().startsWith("Failed to parse ACL rules") && badSyntax.body().contains("At 4:1"),
                badSyntax.body());
        assertBadRequest(management.put("/v1/acl/policy", "{\"ID\":\"" + UUID.randomUUID() + "\",\"Name\":\"x3\"}"),
                "Cannot specify the ID when creating a new policy");
        assertBadRequest(management.put("/v1/acl/policy", "{\"Name\":\"x4\",\"Foo\":1}"),
                "Policy decoding failed: json: unknown field \"Foo\"");
    }

    private static void assertBadRequest(HttpResponse<String> response, String text) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(text, response.body());
    }

    @Test
    void tokensLinkPoliciesByNameAndShowIdAndCurrentName() {
        JsonNode policy = policy(management, "peering = \"read\"");
        String name = policy.get("Name").asText();
        HttpResponse<String> created = management.put("/v1/acl/token", "{\"Policies\":[{\"Name\":\"" + name + "\"}]}");
        assertEquals(200, created.statusCode(), created.body());
        JsonNode token = json(created.body());
        assertEquals(policy.get("ID").asText(), token.get("Policies").get(0).get("ID").asText());
        assertEquals(name, token.get("Policies").get(0).get("Name").asText());
        assertTrue(token.get("SecretID").asText().matches("[0-9a-f-]{36}"));

        String renamed = name + "-renamed";
        assertEquals(200, management.put("/v1/acl/policy/" + policy.get("ID").asText(),
                "{\"Name\":\"" + renamed + "\",\"Rules\":\"peering = \\\"read\\\"\"}").statusCode());
        JsonNode read = json(management.get("/v1/acl/token/" + token.get("AccessorID").asText()).body());
        assertEquals(renamed, read.get("Policies").get(0).get("Name").asText());

        assertBadRequest(management.put("/v1/acl/token", "{\"Policies\":[{\"Name\":\"nope\"}]}"),
                "No such ACL policy with name \"nope\"");
        assertBadRequest(management.put("/v1/acl/token", "{\"Bogus\":true}"),
                "Token decoding failed: json: unknown field \"Bogus\"");
    }

    @Test
    void goClientTokenBodyIsAccepted() {
        JsonNode policy = policy(management, "peering = \"read\"");
        String goBody = "{\"CreateIndex\":0,\"ModifyIndex\":0,\"AccessorID\":\"\",\"SecretID\":\"\",\"Description\":\"go\","
                + "\"Policies\":[{\"ID\":\"\",\"Name\":\"" + policy.get("Name").asText() + "\"}],\"Local\":false,"
                + "\"ExpirationTTL\":3600000000000,\"CreateTime\":\"0001-01-01T00:00:00Z\",\"Hash\":null}";
        HttpResponse<String> created = management.put("/v1/acl/token", goBody);

        assertEquals(200, created.statusCode(), created.body());
        assertTrue(json(created.body()).has("ExpirationTime"));
    }

    @Test
    void secretIdIsShownOnlyToAclWritersAndHiddenFromAclReaders() {
        JsonNode subject = token(management, "peering = \"read\"");
        String accessor = subject.get("AccessorID").asText();
        ConsulHttp aclReader = anonymous.withToken(secret(management, "acl = \"read\""));

        assertEquals("<hidden>", json(aclReader.get("/v1/acl/token/" + accessor).body()).get("SecretID").asText());
        assertEquals(subject.get("SecretID").asText(),
                json(management.get("/v1/acl/token/" + accessor).body()).get("SecretID").asText());
        for (JsonNode listed : json(aclReader.get("/v1/acl/tokens").body())) {
            String secret = listed.get("SecretID").asText();
            assertTrue(secret.equals("<hidden>") || secret.equals("anonymous"), listed.toString());
        }
    }

    @Test
    void missingTokensAndPoliciesAre404WithConsulsTexts() {
        HttpResponse<String> token = management.get("/v1/acl/token/" + UUID.randomUUID());
        assertEquals(404, token.statusCode());
        assertEquals("Requested token does not exist: ACL not found", token.body());
        HttpResponse<String> policy = management.get("/v1/acl/policy/" + UUID.randomUUID());
        assertEquals(404, policy.statusCode());
        assertEquals("Requested policy does not exist: ACL not found", policy.body());
        assertEquals(404, management.get("/v1/acl/policy/name/nope").statusCode());
    }

    @Test
    void tokenSelfAnswersTheCallersOwnTokenOr404() {
        JsonNode subject = token(management, "peering = \"read\"");
        HttpResponse<String> self = anonymous.withToken(subject.get("SecretID").asText()).get("/v1/acl/token/self");
        assertEquals(200, self.statusCode(), self.body());
        assertEquals(subject.get("SecretID").asText(), json(self.body()).get("SecretID").asText());
        assertEquals(subject.get("AccessorID").asText(), json(self.body()).get("AccessorID").asText());

        HttpResponse<String> unknown = anonymous.withToken(UUID.randomUUID().toString()).get("/v1/acl/token/self");
        assertEquals(404, unknown.statusCode());
        assertEquals("Supplied token does not exist", unknown.body());
    }

    @Test
    void tokenListFiltersByPolicyAndIncludesAnonymousAndBootstrapTokens() {
        JsonNode policy = policy(management, "mesh = \"read\"");
        String policyId = policy.get("ID").asText();
        HttpResponse<String> linked = management.put("/v1/acl/token", "{\"Policies\":[{\"ID\":\"" + policyId + "\"}]}");
        String linkedAccessor = json(linked.body()).get("AccessorID").asText();

        JsonNode filtered = json(management.get("/v1/acl/tokens?policy=" + policyId).body());
        assertEquals(1, filtered.size());
        assertEquals(linkedAccessor, filtered.get(0).get("AccessorID").asText());

        List<String> all = new ArrayList<>();
        json(management.get("/v1/acl/tokens").body()).forEach(t -> all.add(t.get("Description").asText()));
        assertTrue(all.contains("Anonymous Token"), all.toString());
        assertTrue(all.contains("Bootstrap Token (Global Management)"), all.toString());
    }

    @Test
    void theAnonymousTokenTheCallersOwnTokenAndTheBuiltinPolicyCannotBeDeleted() {
        assertBadRequest(management.delete("/v1/acl/token/00000000-0000-0000-0000-000000000002"),
                "Delete operation not permitted on the anonymous token");
        String self = json(management.get("/v1/acl/token/self").body()).get("AccessorID").asText();
        assertBadRequest(management.delete("/v1/acl/token/" + self),
                "Deletion of the request's authorization token is not permitted");
        assertBadRequest(management.delete("/v1/acl/policy/00000000-0000-0000-0000-000000000001"),
                "Delete operation not permitted on the builtin global-management policy");
        assertEquals("true", management.delete("/v1/acl/token/" + UUID.randomUUID()).body());
    }

    @Test
    void aDeletedTokenIsRefusedOnTheVeryNextRequest() {
        JsonNode subject = token(management, "peering = \"read\"");
        ConsulHttp client = anonymous.withToken(subject.get("SecretID").asText());
        assertEquals(200, client.get("/v1/peerings").statusCode());

        assertEquals("true", management.delete("/v1/acl/token/" + subject.get("AccessorID").asText()).body());

        HttpResponse<String> after = client.get("/v1/peerings");
        assertEquals(403, after.statusCode());
        assertEquals("ACL not found", after.body());
    }

    @Test
    void aPolicyEditAppliesToTheVeryNextRequestOfEveryTokenLinkingIt() {
        JsonNode policy = policy(management, "peering = \"read\"");
        HttpResponse<String> created = management.put("/v1/acl/token",
                "{\"Policies\":[{\"ID\":\"" + policy.get("ID").asText() + "\"}]}");
        ConsulHttp client = anonymous.withToken(json(created.body()).get("SecretID").asText());
        assertEquals(403, client.post("/v1/peering/token", "{\"PeerName\":\"edit-1\"}").statusCode());

        assertEquals(200, management.put("/v1/acl/policy/" + policy.get("ID").asText(),
                "{\"Name\":\"" + policy.get("Name").asText() + "\",\"Rules\":\"peering = \\\"write\\\"\"}").statusCode());
        assertEquals(200, client.post("/v1/peering/token", "{\"PeerName\":\"edit-1\"}").statusCode());

        assertEquals("true", management.delete("/v1/acl/policy/" + policy.get("ID").asText()).body());
        assertEquals(403, client.get("/v1/peerings").statusCode());
    }

    @Test
    void aCloneHasNewIdsAndTheSamePolicies() {
        JsonNode source = token(management, "peering = \"read\"");
        HttpResponse<String> cloned = management.put("/v1/acl/token/" + source.get("AccessorID").asText() + "/clone",
                "{\"Description\":\"c\"}");

        assertEquals(200, cloned.statusCode(), cloned.body());
        JsonNode clone = json(cloned.body());
        assertNotEquals(source.get("AccessorID").asText(), clone.get("AccessorID").asText());
        assertNotEquals(source.get("SecretID").asText(), clone.get("SecretID").asText());
        assertEquals("c", clone.get("Description").asText());
        assertEquals(source.get("Policies"), clone.get("Policies"));
        assertEquals(200, anonymous.withToken(clone.get("SecretID").asText()).get("/v1/peerings").statusCode());
    }

    @Test
    void anExpiredTokenIsAclNotFoundAndLeavesTheList() throws InterruptedException {
        JsonNode policy = policy(management, "peering = \"read\"");
        HttpResponse<String> created = management.put("/v1/acl/token", "{\"ExpirationTTL\":\"1s\",\"Policies\":[{\"ID\":\""
                + policy.get("ID").asText() + "\"}]}");
        assertEquals(200, created.statusCode(), created.body());
        JsonNode token = json(created.body());
        Thread.sleep(1_200);

        HttpResponse<String> after = anonymous.withToken(token.get("SecretID").asText()).get("/v1/peerings");
        assertEquals(403, after.statusCode());
        assertEquals("ACL not found", after.body());
        assertFalse(management.get("/v1/acl/tokens").body().contains(token.get("AccessorID").asText()));

        assertBadRequest(management.put("/v1/acl/token", "{\"ExpirationTTL\":\"1h\",\"ExpirationTime\":\"2099-01-01T00:00:00Z\"}"),
                "Token Expiration TTL and Expiration Time cannot both be set");
        assertBadRequest(management.put("/v1/acl/token", "{\"ExpirationTTL\":\"48h\"}"),
                "ExpirationTime cannot be more than 24h0m0s in the future (was 48h0m0s)");
    }

    @Test
    void serviceReadersSeeOnlyTheirServicesWithTheFilteredHeader() {
        String node = "{\"Node\":\"node-f\",\"Address\":\"10.0.0.9\",";
        assertEquals("true", management.put("/v1/catalog/register", node + "\"Service\":{\"Service\":\"web\",\"ID\":\"web-1\"}}").body());
        assertEquals("true", management.put("/v1/catalog/register", node + "\"Service\":{\"Service\":\"db\",\"ID\":\"db-1\"}}").body());
        ConsulHttp reader = anonymous.withToken(secret(management,
                "service \"web\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }"));

        HttpResponse<String> db = reader.get("/v1/health/service/db");
        assertEquals(200, db.statusCode());
        assertEquals("[]", db.body());
        assertEquals("true", db.headers().firstValue("X-Consul-Results-Filtered-By-ACLs").orElseThrow());
        HttpResponse<String> web = reader.get("/v1/health/service/web");
        assertEquals(1, json(web.body()).size());
        assertTrue(web.headers().firstValue("X-Consul-Results-Filtered-By-ACLs").isEmpty());
        JsonNode services = json(reader.get("/v1/catalog/services").body());
        assertTrue(services.has("web") && !services.has("db"), services.toString());
    }

    @Test
    void catalogWritesNeedServiceWriteAndNodeWriteUnlessTheNodeIsUnchanged() {
        String register = "{\"Node\":\"node-w\",\"Address\":\"10.0.0.7\",\"Service\":{\"Service\":\"api\",\"ID\":\"api-1\"}}";
        assertEquals("true", management.put("/v1/catalog/register", register).body());
        JsonNode writer = token(management, "service \"api\" { policy = \"write\" }");
        ConsulHttp client = anonymous.withToken(writer.get("SecretID").asText());

        assertEquals("true", client.put("/v1/catalog/register", register).body());
        HttpResponse<String> moved = client.put("/v1/catalog/register", register.replace("10.0.0.7", "10.0.0.8"));
        assertEquals(403, moved.statusCode());
        assertEquals(denied(writer.get("AccessorID").asText(), "node:write") + " on \"node-w\"", moved.body());
        HttpResponse<String> other = client.put("/v1/catalog/register", register.replace("\"api\"", "\"web\""));
        assertEquals(denied(writer.get("AccessorID").asText(), "service:write") + " on \"web\"", other.body());
        assertEquals("true", client.put("/v1/catalog/deregister", "{\"Node\":\"node-w\",\"ServiceID\":\"api-1\"}").body());
    }

    @Test
    void intentionWritesNeedTheIntentionsRuleNotJustServiceWrite() {
        String entry = "{\"Kind\":\"service-intentions\",\"Name\":\"web\",\"Sources\":[{\"Name\":\"frontend\",\"Action\":\"allow\"}]}";
        JsonNode serviceWriter = token(management, "service \"web\" { policy = \"write\" }");
        HttpResponse<String> denied = anonymous.withToken(serviceWriter.get("SecretID").asText()).put("/v1/config", entry);
        assertEquals(403, denied.statusCode());
        assertEquals(denied(serviceWriter.get("AccessorID").asText(), "intention:write") + " on \"web\"", denied.body());

        ConsulHttp intentions = anonymous.withToken(secret(management,
                "service \"web\" { policy = \"write\" intentions = \"write\" }"));
        assertEquals("true", intentions.put("/v1/config", entry).body());
    }

    @Test
    void meshReadReadsExportedServicesButCannotWriteThem() {
        String entry = "{\"Kind\":\"exported-services\",\"Name\":\"default\",\"Services\":[{\"Name\":\"web\","
                + "\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}";
        assertEquals("true", management.put("/v1/config", entry).body());
        JsonNode meshReader = token(management, "mesh = \"read\"");
        ConsulHttp client = anonymous.withToken(meshReader.get("SecretID").asText());

        HttpResponse<String> write = client.put("/v1/config", entry);
        assertEquals(403, write.statusCode());
        assertEquals(denied(meshReader.get("AccessorID").asText(), "mesh:write"), write.body());
        assertEquals(200, client.get("/v1/config/exported-services/default").statusCode());
        assertEquals(200, client.get("/v1/exported-services").statusCode());
    }

    @Test
    void agentSelfNeedsAgentReadOnTheNodeName() {
        HttpResponse<String> response = anonymous.get("/v1/agent/self");

        assertEquals(403, response.statusCode());
        assertEquals("Permission denied: anonymous token lacks permission 'agent:read' on \"cluster-peering-dc1\""
                + io.clusterpeering.support.AclFlow.ANONYMOUS_SUFFIX, response.body());
        assertEquals(200, management.get("/v1/agent/self").statusCode());
    }

    @Test
    void noSecretIdIsStoredInClear() {
        JsonNode created = token(management, "peering = \"read\"");
        String secret = created.get("SecretID").asText();

        DynamoDbClient dynamoDb = cluster.context().getBean(DynamoDbClient.class);
        String table = cluster.context().getBean(DynamoDbConfiguration.class).getTableName();
        String everything = dynamoDb.scanPaginator(ScanRequest.builder().tableName(table).build()).items().stream()
                .map(Object::toString).reduce("", String::concat);
        assertFalse(everything.contains(secret), "a SecretID is stored in clear");
        assertFalse(everything.contains(managementSecret), "the management SecretID is stored in clear");
        assertTrue(everything.contains(created.get("AccessorID").asText()), "the scan saw the token");
    }

    @Test
    void aclResponsesCarryConsulsIndexHeadersAndBlock() {
        HttpResponse<String> list = management.get("/v1/acl/policies");
        long index = Long.parseLong(list.headers().firstValue("X-Consul-Index").orElseThrow());
        assertTrue(index > 0);
        for (JsonNode stub : json(list.body())) {
            assertNull(stub.get("Rules"), "list stubs have no Rules");
        }
    }
}
