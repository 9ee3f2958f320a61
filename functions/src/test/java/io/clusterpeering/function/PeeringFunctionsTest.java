package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.support.Fixtures;
import io.clusterpeering.support.GatewayEvent;
import io.clusterpeering.support.GatewayEvent.Answer;
import io.clusterpeering.support.PayloadFormat;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.PeeringToken;
import io.clusterpeering.token.PeeringTokenCodec;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The function handlers driven by API Gateway and DynamoDB Stream event fixtures, as Lambda would call them
 * (the API Gateway events as bytes through the Lambda entry point), over a real DynamoDB engine. Covers Consul's
 * wire format and every validation answer. Every case runs twice: with HTTP API events (payload format 2.0) and
 * with REST API events (payload format 1.0), which must get the same answers.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(PayloadFormat.class)
class PeeringFunctionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApplicationContext context;
    private static GenerateTokenFunction generate;
    private static EstablishFunction establish;
    private static ReadPeeringFunction read;
    private static ListPeeringsFunction list;
    private static DeletePeeringFunction delete;
    private static PeeringStreamFunction stream;

    @Parameter
    PayloadFormat format;

    @BeforeParameterizedClassInvocation
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("functions"));
        generate = new GenerateTokenFunction(context);
        establish = new EstablishFunction(context);
        read = new ReadPeeringFunction(context);
        list = new ListPeeringsFunction(context);
        delete = new DeletePeeringFunction(context);
        stream = new PeeringStreamFunction(context);
    }

    @AfterParameterizedClassInvocation
    static void stopContext() {
        context.close();
    }

    private GatewayEvent event(String fixture) {
        return GatewayEvent.fixture(format, fixture);
    }

    private static Answer send(ApiGatewayFunction function, GatewayEvent event) {
        return event.sendTo(function);
    }

    private GatewayEvent generateEvent(String body) {
        return event("generate-token.json").body(body);
    }

    private GatewayEvent readEvent(String name, Map<String, String> query) {
        return event("read-peering.json").pathParameters(Map.of("name", name)).path("/v1/peering/" + name).query(query);
    }

    private static String newName() {
        return "peer-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private String generateToken(String name) {
        Answer response = send(generate, generateEvent("{\"PeerName\":\"" + name + "\"}"));
        assertEquals(200, response.status(), response.body());
        return readToken(response.body());
    }

    private static String readToken(String body) {
        try {
            return JSON.readTree(body).get("PeeringToken").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void generateTokenFixtureAnswersAConsulTokenCarryingTheCaAndAddresses() throws Exception {
        Answer response = send(generate, event("generate-token.json"));

        assertEquals(200, response.status(), response.body());
        assertEquals("application/json", response.headers().get("Content-Type"));
        JsonNode body = JSON.readTree(response.body());
        assertEquals(List.of("PeeringToken"), iterableToList(body.fieldNames()));
        String token = body.get("PeeringToken").asText();
        assertEquals(3, token.split("\\.").length, "a compact JWS");
        JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        assertTrue(iterableToList(payload.fieldNames()).containsAll(List.of("CA", "ManualServerAddresses",
                "ServerAddresses", "ServerName", "PeerID", "EstablishmentSecret", "Remote", "iat", "exp", "aud")));
        assertEquals("cluster-02", payload.get("aud").asText());
        assertTrue(payload.get("EstablishmentSecret").asText().length() >= 22, "at least 128 bits");
        PeeringToken decoded = context.getBean(PeeringTokenCodec.class).decode(token);
        assertEquals(List.of("127.0.0.1:8500"), decoded.serverAddresses());
        assertEquals(new Remote("default", "dc1"), decoded.remote());
        assertEquals(context.getBean(ClusterIdentitySource.class).identity().caPems(), decoded.caPems());
        assertTrue(decoded.serverName().startsWith("server.dc1.peering."));
        long lifetime = decoded.expiresAt().getEpochSecond() - decoded.issuedAt().getEpochSecond();
        assertEquals(24 * 3600, lifetime, "default lifetime 24 hours");
    }

    @Test
    void serverExternalAddressesBecomeManualServerAddresses() {
        String token = readToken(send(generate, generateEvent("{\"PeerName\":\"" + newName()
                + "\",\"ServerExternalAddresses\":[\"peering.example.com:443\"]}")).body());
        PeeringToken decoded = context.getBean(PeeringTokenCodec.class).decode(token);
        assertEquals(List.of("peering.example.com:443"), decoded.manualServerAddresses());
        assertEquals(List.of("peering.example.com:443"), decoded.addressesToDial());
    }

    @Test
    void readFixtureMatchesNamesCaseInsensitivelyAndAnswersConsulsShape() throws Exception {
        send(generate, event("generate-token.json"));

        Answer response = send(read, event("read-peering.json"));

        assertEquals(200, response.status(), response.body());
        assertTrue(Long.parseLong(response.headers().get("X-Consul-Index")) >= 1);
        assertEquals("true", response.headers().get("X-Consul-KnownLeader"));
        assertEquals("0", response.headers().get("X-Consul-LastContact"));
        JsonNode peering = JSON.readTree(response.body());
        assertEquals(List.of("ID", "Name", "Partition", "Meta", "State", "StreamStatus", "CreateIndex", "ModifyIndex",
                "Remote"), iterableToList(peering.fieldNames()), "Consul's key order and omit-empty rules");
        assertEquals("cluster-02", peering.get("Name").asText());
        assertEquals("PENDING", peering.get("State").asText());
        assertEquals("production", peering.get("Meta").get("env").asText());
        assertEquals(List.of("ImportedServices", "ExportedServices", "LastHeartbeat", "LastReceive", "LastSend"),
                iterableToList(peering.get("StreamStatus").fieldNames()));
        assertTrue(peering.get("StreamStatus").get("LastHeartbeat").isNull());
        assertEquals("{\"Partition\":\"\",\"Datacenter\":\"\"}", peering.get("Remote").toString());
    }

    @Test
    void readOfAMissingPeeringIs404WithConsulsText() {
        Answer response = send(read, readEvent("nobody", null));
        assertEquals(404, response.status());
        assertEquals("Peering not found for \"nobody\"", response.body());
    }

    @Test
    void readWithAnEmptyNameIs400() {
        Answer response = send(read, readEvent("", null));
        assertEquals(400, response.status());
        assertEquals("Must specify a name to fetch.", response.body());
    }

    @Test
    void listOfAnEmptyPartitionIsAnEmptyArrayWithAnIndex() {
        GatewayEvent event = event("list-peerings.json");
        event.query(Map.of("partition", "empty-" + UUID.randomUUID().toString().substring(0, 6)));
        Answer response = send(list, event);
        assertEquals(200, response.status(), response.body());
        assertEquals("[]", response.body());
        assertTrue(Long.parseLong(response.headers().get("X-Consul-Index")) >= 1, "never 0");
    }

    @Test
    void partitionScopesPeerings() throws Exception {
        String name = newName();
        Answer created = send(generate, generateEvent("{\"PeerName\":\"" + name
                + "\",\"Partition\":\"team-a\"}"));
        assertEquals(200, created.status(), created.body());

        assertEquals(404, send(read, readEvent(name, null)).status(), "not in the default partition");
        Answer inPartition = send(read, readEvent(name, Map.of("partition", "team-a")));
        assertEquals(200, inPartition.status());
        assertEquals("team-a", JSON.readTree(inPartition.body()).get("Partition").asText());
        GatewayEvent listEvent = event("list-peerings.json");
        listEvent.query(Map.of("partition", "team-a"));
        assertTrue(send(list, listEvent).body().contains(name));
    }

    @Test
    void theDefaultRouteAnswersConsuls404And405AndRoutesAnEmptyName() {
        UnroutedFunction unrouted = new UnroutedFunction(context);
        GatewayEvent wrongMethod = event("delete-peering.json");
        wrongMethod.method("PUT");
        Answer notAllowed = send(unrouted, wrongMethod);
        assertEquals(405, notAllowed.status());
        assertEquals("OPTIONS,GET,DELETE", notAllowed.headers().get("Allow"));
        assertEquals("method PUT not allowed", notAllowed.body());

        GatewayEvent unknown = event("list-peerings.json");
        unknown.path("/v1/nothing-here");
        Answer notFound = send(unrouted, unknown);
        assertEquals(404, notFound.status());
        assertEquals("Invalid URL path: not a recognized HTTP API endpoint", notFound.body());

        GatewayEvent emptyName = event("read-peering.json");
        emptyName.path("/v1/peering/");
        emptyName.pathParameters(null);
        Answer noName = send(unrouted, emptyName);
        assertEquals(400, noName.status());
        assertEquals("Must specify a name to fetch.", noName.body());
    }

    @Test
    void deleteOfAnUnknownNameIs200WithAnEmptyBody() {
        GatewayEvent event = event("delete-peering.json");
        event.pathParameters(Map.of("name", "never-existed"));
        Answer response = send(delete, event);
        assertEquals(200, response.status());
        assertEquals("", response.body());
        assertNull(response.headers().get("Content-Type"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing PeerName            | {}                                                   | PeerName is required in the payload when generating a new peering token.",
            "upper case name             | {\"PeerName\":\"Cluster_02\"}                        | PeerName: Cluster_02 is not a valid peer name",
            "name ending in a dash       | {\"PeerName\":\"cluster-\"}                          | PeerName: cluster- is not a valid peer name",
            "not JSON                    | abc                                                  | Body decoding failed: ",
            "empty body                  | ''                                                   | Body decoding failed: EOF",
            "Meta is not an object       | {\"PeerName\":\"p\",\"Meta\":\"x\"}                  | Body decoding failed: ",
            "Meta key with a space       | {\"PeerName\":\"p\",\"Meta\":{\"a b\":\"v\"}}        | Meta: meta tags failed validation: Couldn't load metadata pair ('a b', 'v'): Key contains invalid characters",
            "Meta key reserved           | {\"PeerName\":\"p\",\"Meta\":{\"consul-x\":\"v\"}}   | Meta: meta tags failed validation: Couldn't load metadata pair ('consul-x', 'v'): Key prefix 'consul-' is reserved for internal use",
            "bad external address        | {\"PeerName\":\"p\",\"ServerExternalAddresses\":[\"nohost\"]} | ServerExternalAddresses: nohost is not a valid peering server address",
            "port out of range           | {\"PeerName\":\"p\",\"ServerExternalAddresses\":[\"h:70000\"]} | ServerExternalAddresses: h:70000 is not a valid peering server address",
            "bad partition               | {\"PeerName\":\"p\",\"Partition\":\"a_b\"}           | Partition: \"a_b\" is not a valid partition name",
    })
    void generateTokenRejectsBadInputWith400NamingTheField(String rule, String body, String message) {
        long indexBefore = context.getBean(ConsulIndex.class).current(IndexScope.peerings("default"));
        Answer response = send(generate, generateEvent(body));
        assertEquals(400, response.status(), rule);
        assertTrue(response.body().startsWith(message), rule + ": " + response.body());
        assertFalse(response.body().contains("\tat "), "no stack trace");
        assertEquals(indexBefore, context.getBean(ConsulIndex.class).current(IndexScope.peerings("default")), "nothing was written");
    }

    @Test
    void metaLimitsAreConsuls() {
        String tooMany = IntStream.range(0, 65).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(","));
        Answer pairs = send(generate, generateEvent("{\"PeerName\":\"p\",\"Meta\":{" + tooMany + "}}"));
        assertEquals(400, pairs.status());
        assertEquals("Meta: meta tags failed validation: Node metadata cannot contain more than 64 key/value pairs",
                pairs.body());
        String longValue = "v".repeat(513);
        Answer value = send(generate, generateEvent("{\"PeerName\":\"p\",\"Meta\":{\"k\":\"" + longValue + "\"}}"));
        assertEquals(400, value.status());
        assertTrue(value.body().endsWith("Value is too long (limit: 512 characters)"), value.body());
        String longName = "a".repeat(64);
        Answer name = send(generate, generateEvent("{\"PeerName\":\"" + longName + "\"}"));
        assertEquals(400, name.status(), "names are at most 63 characters");
        assertEquals(200, send(generate, generateEvent("{\"PeerName\":\"" + "a".repeat(63) + "\"}")).status());
    }

    @Test
    void aNullMetaValueReadsAsEmptyAsInGo() throws Exception {
        String name = newName();
        Answer response = send(generate, generateEvent("{\"PeerName\":\"" + name
                + "\",\"Meta\":{\"k\":null}}"));
        assertEquals(200, response.status(), response.body());
        assertEquals("", JSON.readTree(send(read, readEvent(name, null)).body()).get("Meta").get("k").asText());
    }

    @Test
    void namesNoPeeringCouldHaveAreNotLookedUp() {
        String tooLong = "x".repeat(1100);
        Answer readResponse = send(read, readEvent(tooLong, null));
        assertEquals(404, readResponse.status(), readResponse.body());
        GatewayEvent deleteEvent = event("delete-peering.json");
        deleteEvent.pathParameters(Map.of("name", tooLong));
        assertEquals(200, send(delete, deleteEvent).status());
    }

    @Test
    void keysMatchCaseInsensitivelyAsInGo() {
        Answer response = send(generate, generateEvent("{\"peername\":\"" + newName() + "\"}"));
        assertEquals(200, response.status(), response.body());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing PeerName    | {\"PeeringToken\":\"x\"}                       | PeerName is required in the payload when establishing a peering.",
            "missing token       | {\"PeerName\":\"cluster-01\"}                  | PeeringToken is required in the payload when establishing a peering.",
            "empty token         | {\"PeerName\":\"cluster-01\",\"PeeringToken\":\"\"} | PeeringToken is required in the payload when establishing a peering.",
            "garbage token       | {\"PeerName\":\"cluster-01\",\"PeeringToken\":\"abc\"} | PeeringToken is invalid: it is not a compact JWS",
            "bad name            | {\"PeerName\":\"Cluster 01\",\"PeeringToken\":\"abc\"} | PeerName: Cluster 01 is not a valid peer name",
    })
    void establishRejectsBadInputWith400(String rule, String body, String message) {
        GatewayEvent event = event("establish.json");
        event.body(body);
        Answer response = send(establish, event);
        assertEquals(400, response.status(), rule + ": " + response.body());
        assertTrue(response.body().startsWith(message), rule + ": " + response.body());
    }

    @Test
    void establishFixtureWithoutATokenIs400() {
        Answer response = send(establish, event("establish.json"));
        assertEquals(400, response.status());
        assertEquals("PeeringToken is required in the payload when establishing a peering.", response.body());
    }

    @Test
    void tamperedUnsignedAndExpiredTokensAreRefusedBeforeAnyNetworkCall() {
        String token = generateToken(newName());
        String[] parts = token.split("\\.");
        Map<String, Object> payload = decodeJson(parts[1]);
        payload.put("ServerAddresses", List.of("198.51.100.7:8500"));
        String tampered = parts[0] + "." + encodeJson(payload) + "." + parts[2];
        assertEstablishRefused(tampered, "PeeringToken is invalid: its signature does not match its content");

        String unsigned = encodeJson(Map.of("alg", "none", "typ", "peering-token+jwt")) + "." + parts[1] + ".";
        assertEstablishRefused(unsigned, "PeeringToken is invalid: it is unsigned");

        String truncated = parts[0] + "." + parts[1];
        assertEstablishRefused(truncated, "PeeringToken is invalid: it is not a compact JWS");

        PeeringTokenCodec codec = context.getBean(PeeringTokenCodec.class);
        PeeringToken real = codec.decode(token);
        Instant past = Instant.now().minusSeconds(7200);
        String expired = codec.encode(new PeeringToken(real.caPems(), List.of(), real.serverAddresses(),
                real.serverScheme(), real.serverName(), real.peerId(), real.establishmentSecret(), real.remote(),
                real.audience(), past.minusSeconds(60), past));
        assertEstablishRefused(expired, "PeeringToken is invalid: it has expired");
    }

    @Test
    void aTokenFromThisSameClusterIsRefused() {
        String token = generateToken(newName());
        assertEstablishRefused(token, "PeeringToken: cannot create a peering within the same cluster");
    }

    private void assertEstablishRefused(String token, String message) {
        GatewayEvent event = event("establish.json");
        event.body("{\"PeerName\":\"" + newName() + "\",\"PeeringToken\":\"" + token + "\"}");
        Answer response = send(establish, event);
        assertEquals(400, response.status(), response.body());
        assertTrue(response.body().startsWith(message), response.body());
    }

    @Test
    void anotherDatacenterIsAClear400() {
        Answer response = send(read, readEvent("cluster-02", Map.of("dc", "dc9")));
        assertEquals(400, response.status());
        assertTrue(response.body().startsWith("dc: datacenter \"dc9\" is not served here"), response.body());
    }

    @Test
    void malformedBlockingParametersAre400() {
        assertEquals(400, send(read, readEvent("cluster-02", Map.of("index", "abc"))).status());
        Answer wait = send(read, readEvent("cluster-02", Map.of("index", "1", "wait", "soon")));
        assertEquals(400, wait.status());
        assertTrue(wait.body().startsWith("Invalid wait time"));
    }

    @Test
    void aBlockingReadReturnsWhenTheIndexMoves() throws Exception {
        String name = newName();
        generateToken(name);
        long index = Long.parseLong(send(read, readEvent(name, null)).headers().get("X-Consul-Index"));

        CompletableFuture<Answer> blocked = CompletableFuture.supplyAsync(() ->
                send(read, readEvent(name, Map.of("index", Long.toString(index), "wait", "20s"))));
        Thread.sleep(300);
        assertFalse(blocked.isDone(), "the query blocks while nothing changes");
        generateToken(name);

        Answer response = blocked.get();
        assertEquals(200, response.status());
        assertTrue(Long.parseLong(response.headers().get("X-Consul-Index")) > index);
    }

    @Test
    void aBlockingReadReturnsTheSameIndexWhenTheWaitEnds() {
        String name = newName();
        generateToken(name);
        long index = Long.parseLong(send(read, readEvent(name, null)).headers().get("X-Consul-Index"));
        Answer response = send(read, readEvent(name, Map.of("index", Long.toString(index), "wait", "200ms")));
        assertEquals(200, response.status());
        assertEquals(index, Long.parseLong(response.headers().get("X-Consul-Index")));
    }

    @Test
    void streamFixtureFinishesTheDeletionAndIsIdempotent() {
        send(generate, event("generate-token.json"));
        assertEquals(200, send(delete, event("delete-peering.json")).status());
        context.getBean(io.clusterpeering.store.ImportedDataStore.class).putTrustBundle(
                new io.clusterpeering.domain.PeeringKey(null, "cluster-02"), "x.consul", List.of("pem"), Instant.now());
        Answer deleting = send(read, readEvent("cluster-02", null));
        assertTrue(deleting.body().contains("\"State\":\"DELETING\""), deleting.body());
        assertTrue(deleting.body().contains("\"DeletedAt\":\""), deleting.body());
        assertTrue(deleting.body().contains("\"ImportedItemsLeft\":1"), "the read says what is left to purge: "
                + deleting.body());

        DynamodbEvent records = Fixtures.event("stream-deleting.json", DynamodbEvent.class);
        StreamsEventResponse first = stream.execute(records);
        assertTrue(first.getBatchItemFailures().isEmpty());
        assertEquals(404, send(read, readEvent("cluster-02", null)).status());
        long indexAfterFirst = context.getBean(ConsulIndex.class).current(IndexScope.peerings("default"));

        StreamsEventResponse second = stream.execute(records);
        assertTrue(second.getBatchItemFailures().isEmpty());
        assertEquals(indexAfterFirst, context.getBean(ConsulIndex.class).current(IndexScope.peerings("default")), "the replay changed nothing");
    }

    @Test
    void generatingUnderANameBeingDeletedIsAConflict() {
        String name = newName();
        generateToken(name);
        GatewayEvent deleteEvent = event("delete-peering.json");
        deleteEvent.pathParameters(Map.of("name", name));
        send(delete, deleteEvent);

        Answer response = send(generate, generateEvent("{\"PeerName\":\"" + name + "\"}"));
        assertEquals(409, response.status());
        assertTrue(response.body().contains("marked for deletion"), response.body());
    }

    /**
     * Every route of the table, each through its own function's Lambda entry point with its own fixture, in the
     * walkthrough's order: generate, read, list, establish, the internal routes, the agent, the catalog, the config
     * entries, the exported and imported services, then the deletes (the last one finished by the stream handler).
     */
    @Test
    void everyRouteAnswersItsFixtureThroughItsLambdaEntryPoint() throws Exception {
        Map<String, Routes.Route> byFixture = new java.util.LinkedHashMap<>();
        Routes.ALL.forEach(route -> byFixture.put(fixtureOf(route), route));
        List<String> order = List.of("generate-token", "read-peering", "list-peerings", "list-peering-tokens",
                "peering-events",
                "peering-link-check", "peering-services", "peering-check", "establish", "exchange-secret", "peer-message", "peer-probe",
                "agent-self", "agent-metrics", "status-leader", "status-peers", "catalog-register", "catalog-services",
                "catalog-service", "health-service",
                "config-put", "config-list", "config-get", "exported-services", "imported-services",
                "connect-ca-roots", "agent-connect-ca-roots", "agent-connect-ca-leaf", "agent-connect-authorize",
                "intention-check", "intention-match", "ca-rotation", "ca-rotate", "config-delete",
                "catalog-deregister", "revoke-peering-token", "delete-peering");
        List<String> aclRoutes = List.of("acl-bootstrap", "acl-policy-create", "acl-policy-read", "acl-policy-update",
                "acl-policy-delete", "acl-policy-read-by-name", "acl-policy-list", "acl-token-create", "acl-token-self",
                "acl-token-read", "acl-token-update", "acl-token-clone", "acl-token-delete", "acl-token-list");
        java.util.Set<String> expected = new java.util.TreeSet<>(order);
        expected.addAll(aclRoutes);
        assertEquals(new java.util.TreeSet<>(byFixture.keySet()), expected, "one fixture per route");
        for (String fixture : aclRoutes) {
            Answer answer = event(fixture + ".json").sendTo(byFixture.get(fixture).factory().apply(context));
            assertEquals(401, answer.status(), fixture + ": ACLs are off in this context");
            assertEquals("ACL support disabled", answer.body(), fixture);
        }
        Map<String, Answer> answers = new java.util.LinkedHashMap<>();
        for (String fixture : order) {
            ApiGatewayFunction function = byFixture.get(fixture).factory().apply(context);
            answers.put(fixture, event(fixture + ".json").sendTo(function));
        }

        assertTrue(JSON.readTree(answers.get("generate-token").body()).has("PeeringToken"));
        assertEquals("cluster-02", JSON.readTree(answers.get("read-peering").body()).get("Name").asText());
        assertTrue(JSON.readTree(answers.get("list-peerings").body()).isArray());
        assertEquals("cluster-02", JSON.readTree(answers.get("list-peering-tokens").body()).get(0).get("PeerName").asText(),
                answers.get("list-peering-tokens").body());
        assertEquals(200, answers.get("revoke-peering-token").status(), answers.get("revoke-peering-token").body());
        assertEquals("token-generated", JSON.readTree(answers.get("peering-events").body()).get("Events").get(0)
                .get("Event").asText(), answers.get("peering-events").body());
        assertEquals("peer-known", JSON.readTree(answers.get("peering-link-check").body()).get("Checks").get(0)
                .get("Name").asText(), "a PENDING peering has no peer to reach yet");
        assertEquals("the peering is PENDING: the peer's view is unknown",
                JSON.readTree(answers.get("peering-services").body()).get("PeerError").asText(),
                answers.get("peering-services").body());
        assertEquals("none", JSON.readTree(answers.get("ca-rotation").body()).get("Phase").asText(),
                answers.get("ca-rotation").body());
        assertEquals("introducing", JSON.readTree(answers.get("ca-rotate").body()).get("Phase").asText(),
                answers.get("ca-rotate").body());
        assertEquals("fail", JSON.readTree(answers.get("peering-check").body()).get("Checks").get(0).get("Status").asText());
        assertEquals(400, answers.get("peer-probe").status(), answers.get("peer-probe").body());
        assertTrue(answers.get("agent-metrics").headers().get("Content-Type").startsWith("text/plain; version=0.0.4"));
        assertEquals(400, answers.get("establish").status());
        assertEquals("PeeringToken is required in the payload when establishing a peering.", answers.get("establish").body());
        assertEquals(400, answers.get("exchange-secret").status(), answers.get("exchange-secret").body());
        assertEquals(403, answers.get("peer-message").status(), answers.get("peer-message").body());
        assertEquals("Permission denied: the message is not a signed peering message", answers.get("peer-message").body());
        assertEquals("dc1", JSON.readTree(answers.get("agent-self").body()).get("Config").get("Datacenter").asText());
        assertTrue(answers.get("status-leader").body().matches("\"[^\"]+:\\d+\""), answers.get("status-leader").body());
        assertEquals("[" + answers.get("status-leader").body() + "]", answers.get("status-peers").body());
        assertEquals("true", answers.get("catalog-register").body());
        assertTrue(JSON.readTree(answers.get("catalog-services").body()).has("backend"), answers.get("catalog-services").body());
        assertEquals("backend-1", JSON.readTree(answers.get("catalog-service").body()).get(0).get("ServiceID").asText());
        assertEquals("passing", JSON.readTree(answers.get("health-service").body()).get(0).get("Checks").get(0)
                .get("Status").asText(), "?passing, given without a value, is honoured");
        assertEquals("true", answers.get("config-put").body());
        assertEquals("default", JSON.readTree(answers.get("config-list").body()).get(0).get("Name").asText());
        assertTrue(answers.get("config-get").body().contains("\n    \"Kind\": \"exported-services\""),
                "?pretty, given without a value, indents: " + answers.get("config-get").body());
        assertEquals("backend", JSON.readTree(answers.get("exported-services").body()).get(0).get("Service").asText());
        assertEquals("[]", answers.get("imported-services").body());
        JsonNode roots = JSON.readTree(answers.get("connect-ca-roots").body());
        assertEquals(roots.get("ActiveRootID").asText(), roots.get("Roots").get(0).get("ID").asText());
        assertEquals(answers.get("connect-ca-roots").body(), answers.get("agent-connect-ca-roots").body());
        JsonNode leaf = JSON.readTree(answers.get("agent-connect-ca-leaf").body());
        assertEquals("spiffe://" + roots.get("TrustDomain").asText() + "/ns/default/dc/dc1/svc/api",
                leaf.get("ServiceURI").asText());
        assertTrue(leaf.get("PrivateKeyPEM").asText().startsWith("-----BEGIN PRIVATE KEY-----"));
        JsonNode authorized = JSON.readTree(answers.get("agent-connect-authorize").body());
        assertFalse(authorized.get("Authorized").asBoolean(), "a trust domain no peering imported");
        assertTrue(authorized.get("Reason").asText().startsWith("Unknown trust domain"), authorized.toString());
        assertEquals("{\"Allowed\":true}", answers.get("intention-check").body(), "ACLs are off: allowed by default");
        assertEquals("{\"peer:cluster-02/web\":[]}", answers.get("intention-match").body());
        assertEquals(200, answers.get("config-delete").status());
        assertEquals("true", answers.get("catalog-deregister").body());
        assertEquals("", answers.get("delete-peering").body());
        answers.forEach((fixture, answer) -> {
            if (!fixture.equals("establish") && !fixture.startsWith("exchange") && !fixture.startsWith("peer-")) {
                assertEquals(200, answer.status(), fixture + ": " + answer.body());
            }
        });
        assertTrue(stream.execute(Fixtures.event("stream-deleting.json", DynamodbEvent.class)).getBatchItemFailures().isEmpty());
        assertEquals(404, send(read, readEvent("cluster-02", null)).status(), "the stream handler finished the delete");
    }

    /** A route's fixture: its handler's name without {@code Function}, in kebab case ({@code read-peering}). */
    static String fixtureOf(Routes.Route route) {
        return route.handler().getSimpleName().replace("Function", "").replaceAll("([a-z])([A-Z])", "$1-$2")
                .toLowerCase(java.util.Locale.ROOT);
    }

    private static List<String> iterableToList(java.util.Iterator<String> names) {
        List<String> result = new java.util.ArrayList<>();
        names.forEachRemaining(result::add);
        return result;
    }

    private static Map<String, Object> decodeJson(String part) {
        try {
            return new HashMap<>(JSON.readValue(Base64.getUrlDecoder().decode(part),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String encodeJson(Map<String, Object> value) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsString(value)
                    .getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
