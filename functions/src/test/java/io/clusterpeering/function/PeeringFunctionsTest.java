package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.DynamodbEvent;
import com.amazonaws.services.lambda.runtime.events.StreamsEventResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.domain.Remote;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.support.Fixtures;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.ClusterIdentitySource;
import io.clusterpeering.token.PeeringToken;
import io.clusterpeering.token.PeeringTokenCodec;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
 * The function handlers driven by API Gateway v2 (payload 2.0) and DynamoDB Stream event fixtures, as Lambda
 * would call them, over a real DynamoDB engine. Covers Consul's wire format and every validation answer.
 */
class PeeringFunctionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApplicationContext context;
    private static GenerateTokenFunction generate;
    private static EstablishFunction establish;
    private static ReadPeeringFunction read;
    private static ListPeeringsFunction list;
    private static DeletePeeringFunction delete;
    private static PeeringStreamFunction stream;

    @BeforeAll
    static void startContext() {
        context = ApplicationContext.run(TestDynamoDb.freshTable("functions"));
        generate = new GenerateTokenFunction(context);
        establish = new EstablishFunction(context);
        read = new ReadPeeringFunction(context);
        list = new ListPeeringsFunction(context);
        delete = new DeletePeeringFunction(context);
        stream = new PeeringStreamFunction(context);
    }

    @AfterAll
    static void stopContext() {
        context.close();
    }

    private static APIGatewayV2HTTPEvent event(String fixture) {
        return Fixtures.event(fixture, APIGatewayV2HTTPEvent.class);
    }

    private static APIGatewayV2HTTPEvent generateEvent(String body) {
        APIGatewayV2HTTPEvent event = event("generate-token.json");
        event.setBody(body);
        event.setIsBase64Encoded(false);
        return event;
    }

    private static APIGatewayV2HTTPEvent readEvent(String name, Map<String, String> query) {
        APIGatewayV2HTTPEvent event = event("read-peering.json");
        event.setPathParameters(Map.of("name", name));
        event.setRawPath("/v1/peering/" + name);
        event.setQueryStringParameters(query);
        return event;
    }

    private static String newName() {
        return "peer-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String generateToken(String name) {
        APIGatewayV2HTTPResponse response = generate.execute(generateEvent("{\"PeerName\":\"" + name + "\"}"));
        assertEquals(200, response.getStatusCode(), response.getBody());
        return readToken(response.getBody());
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
        APIGatewayV2HTTPResponse response = generate.execute(event("generate-token.json"));

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("application/json", response.getHeaders().get("Content-Type"));
        JsonNode body = JSON.readTree(response.getBody());
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
        String token = readToken(generate.execute(generateEvent("{\"PeerName\":\"" + newName()
                + "\",\"ServerExternalAddresses\":[\"peering.example.com:443\"]}")).getBody());
        PeeringToken decoded = context.getBean(PeeringTokenCodec.class).decode(token);
        assertEquals(List.of("peering.example.com:443"), decoded.manualServerAddresses());
        assertEquals(List.of("peering.example.com:443"), decoded.addressesToDial());
    }

    @Test
    void readFixtureMatchesNamesCaseInsensitivelyAndAnswersConsulsShape() throws Exception {
        generate.execute(event("generate-token.json"));

        APIGatewayV2HTTPResponse response = read.execute(event("read-peering.json"));

        assertEquals(200, response.getStatusCode(), response.getBody());
        assertTrue(Long.parseLong(response.getHeaders().get("X-Consul-Index")) >= 1);
        assertEquals("true", response.getHeaders().get("X-Consul-KnownLeader"));
        assertEquals("0", response.getHeaders().get("X-Consul-LastContact"));
        JsonNode peering = JSON.readTree(response.getBody());
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
        APIGatewayV2HTTPResponse response = read.execute(readEvent("nobody", null));
        assertEquals(404, response.getStatusCode());
        assertEquals("Peering not found for \"nobody\"", response.getBody());
    }

    @Test
    void readWithAnEmptyNameIs400() {
        APIGatewayV2HTTPResponse response = read.execute(readEvent("", null));
        assertEquals(400, response.getStatusCode());
        assertEquals("Must specify a name to fetch.", response.getBody());
    }

    @Test
    void listOfAnEmptyPartitionIsAnEmptyArrayWithAnIndex() {
        APIGatewayV2HTTPEvent event = event("list-peerings.json");
        event.setQueryStringParameters(Map.of("partition", "empty-" + UUID.randomUUID().toString().substring(0, 6)));
        APIGatewayV2HTTPResponse response = list.execute(event);
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("[]", response.getBody());
        assertTrue(Long.parseLong(response.getHeaders().get("X-Consul-Index")) >= 1, "never 0");
    }

    @Test
    void partitionScopesPeerings() throws Exception {
        String name = newName();
        APIGatewayV2HTTPResponse created = generate.execute(generateEvent("{\"PeerName\":\"" + name
                + "\",\"Partition\":\"team-a\"}"));
        assertEquals(200, created.getStatusCode(), created.getBody());

        assertEquals(404, read.execute(readEvent(name, null)).getStatusCode(), "not in the default partition");
        APIGatewayV2HTTPResponse inPartition = read.execute(readEvent(name, Map.of("partition", "team-a")));
        assertEquals(200, inPartition.getStatusCode());
        assertEquals("team-a", JSON.readTree(inPartition.getBody()).get("Partition").asText());
        APIGatewayV2HTTPEvent listEvent = event("list-peerings.json");
        listEvent.setQueryStringParameters(Map.of("partition", "team-a"));
        assertTrue(list.execute(listEvent).getBody().contains(name));
    }

    @Test
    void theDefaultRouteAnswersConsuls404And405AndRoutesAnEmptyName() {
        UnroutedFunction unrouted = new UnroutedFunction(context);
        APIGatewayV2HTTPEvent wrongMethod = event("delete-peering.json");
        wrongMethod.getRequestContext().getHttp().setMethod("PUT");
        APIGatewayV2HTTPResponse notAllowed = unrouted.execute(wrongMethod);
        assertEquals(405, notAllowed.getStatusCode());
        assertEquals("OPTIONS,GET,DELETE", notAllowed.getHeaders().get("Allow"));
        assertEquals("method PUT not allowed", notAllowed.getBody());

        APIGatewayV2HTTPEvent unknown = event("list-peerings.json");
        unknown.setRawPath("/v1/nothing-here");
        APIGatewayV2HTTPResponse notFound = unrouted.execute(unknown);
        assertEquals(404, notFound.getStatusCode());
        assertEquals("Invalid URL path: not a recognized HTTP API endpoint", notFound.getBody());

        APIGatewayV2HTTPEvent emptyName = event("read-peering.json");
        emptyName.setRawPath("/v1/peering/");
        emptyName.setPathParameters(null);
        APIGatewayV2HTTPResponse noName = unrouted.execute(emptyName);
        assertEquals(400, noName.getStatusCode());
        assertEquals("Must specify a name to fetch.", noName.getBody());
    }

    @Test
    void deleteOfAnUnknownNameIs200WithAnEmptyBody() {
        APIGatewayV2HTTPEvent event = event("delete-peering.json");
        event.setPathParameters(Map.of("name", "never-existed"));
        APIGatewayV2HTTPResponse response = delete.execute(event);
        assertEquals(200, response.getStatusCode());
        assertEquals("", response.getBody());
        assertNull(response.getHeaders().get("Content-Type"));
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
        APIGatewayV2HTTPResponse response = generate.execute(generateEvent(body));
        assertEquals(400, response.getStatusCode(), rule);
        assertTrue(response.getBody().startsWith(message), rule + ": " + response.getBody());
        assertFalse(response.getBody().contains("\tat "), "no stack trace");
        assertEquals(indexBefore, context.getBean(ConsulIndex.class).current(IndexScope.peerings("default")), "nothing was written");
    }

    @Test
    void metaLimitsAreConsuls() {
        String tooMany = IntStream.range(0, 65).mapToObj(i -> "\"k" + i + "\":\"v\"").collect(Collectors.joining(","));
        APIGatewayV2HTTPResponse pairs = generate.execute(generateEvent("{\"PeerName\":\"p\",\"Meta\":{" + tooMany + "}}"));
        assertEquals(400, pairs.getStatusCode());
        assertEquals("Meta: meta tags failed validation: Node metadata cannot contain more than 64 key/value pairs",
                pairs.getBody());
        String longValue = "v".repeat(513);
        APIGatewayV2HTTPResponse value = generate.execute(generateEvent("{\"PeerName\":\"p\",\"Meta\":{\"k\":\"" + longValue + "\"}}"));
        assertEquals(400, value.getStatusCode());
        assertTrue(value.getBody().endsWith("Value is too long (limit: 512 characters)"), value.getBody());
        String longName = "a".repeat(64);
        APIGatewayV2HTTPResponse name = generate.execute(generateEvent("{\"PeerName\":\"" + longName + "\"}"));
        assertEquals(400, name.getStatusCode(), "names are at most 63 characters");
        assertEquals(200, generate.execute(generateEvent("{\"PeerName\":\"" + "a".repeat(63) + "\"}")).getStatusCode());
    }

    @Test
    void aNullMetaValueReadsAsEmptyAsInGo() throws Exception {
        String name = newName();
        APIGatewayV2HTTPResponse response = generate.execute(generateEvent("{\"PeerName\":\"" + name
                + "\",\"Meta\":{\"k\":null}}"));
        assertEquals(200, response.getStatusCode(), response.getBody());
        assertEquals("", JSON.readTree(read.execute(readEvent(name, null)).getBody()).get("Meta").get("k").asText());
    }

    @Test
    void namesNoPeeringCouldHaveAreNotLookedUp() {
        String tooLong = "x".repeat(1100);
        APIGatewayV2HTTPResponse readResponse = read.execute(readEvent(tooLong, null));
        assertEquals(404, readResponse.getStatusCode(), readResponse.getBody());
        APIGatewayV2HTTPEvent deleteEvent = event("delete-peering.json");
        deleteEvent.setPathParameters(Map.of("name", tooLong));
        assertEquals(200, delete.execute(deleteEvent).getStatusCode());
    }

    @Test
    void keysMatchCaseInsensitivelyAsInGo() {
        APIGatewayV2HTTPResponse response = generate.execute(generateEvent("{\"peername\":\"" + newName() + "\"}"));
        assertEquals(200, response.getStatusCode(), response.getBody());
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
        APIGatewayV2HTTPEvent event = event("establish.json");
        event.setBody(body);
        APIGatewayV2HTTPResponse response = establish.execute(event);
        assertEquals(400, response.getStatusCode(), rule + ": " + response.getBody());
        assertTrue(response.getBody().startsWith(message), rule + ": " + response.getBody());
    }

    @Test
    void establishFixtureWithoutATokenIs400() {
        APIGatewayV2HTTPResponse response = establish.execute(event("establish.json"));
        assertEquals(400, response.getStatusCode());
        assertEquals("PeeringToken is required in the payload when establishing a peering.", response.getBody());
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

    private static void assertEstablishRefused(String token, String message) {
        APIGatewayV2HTTPEvent event = event("establish.json");
        event.setBody("{\"PeerName\":\"" + newName() + "\",\"PeeringToken\":\"" + token + "\"}");
        APIGatewayV2HTTPResponse response = establish.execute(event);
        assertEquals(400, response.getStatusCode(), response.getBody());
        assertTrue(response.getBody().startsWith(message), response.getBody());
    }

    @Test
    void anotherDatacenterIsAClear400() {
        APIGatewayV2HTTPResponse response = read.execute(readEvent("cluster-02", Map.of("dc", "dc9")));
        assertEquals(400, response.getStatusCode());
        assertTrue(response.getBody().startsWith("dc: datacenter \"dc9\" is not served here"), response.getBody());
    }

    @Test
    void malformedBlockingParametersAre400() {
        assertEquals(400, read.execute(readEvent("cluster-02", Map.of("index", "abc"))).getStatusCode());
        APIGatewayV2HTTPResponse wait = read.execute(readEvent("cluster-02", Map.of("index", "1", "wait", "soon")));
        assertEquals(400, wait.getStatusCode());
        assertTrue(wait.getBody().startsWith("Invalid wait time"));
    }

    @Test
    void aBlockingReadReturnsWhenTheIndexMoves() throws Exception {
        String name = newName();
        generateToken(name);
        long index = Long.parseLong(read.execute(readEvent(name, null)).getHeaders().get("X-Consul-Index"));

        CompletableFuture<APIGatewayV2HTTPResponse> blocked = CompletableFuture.supplyAsync(() ->
                read.execute(readEvent(name, Map.of("index", Long.toString(index), "wait", "20s"))));
        Thread.sleep(300);
        assertFalse(blocked.isDone(), "the query blocks while nothing changes");
        generateToken(name);

        APIGatewayV2HTTPResponse response = blocked.get();
        assertEquals(200, response.getStatusCode());
        assertTrue(Long.parseLong(response.getHeaders().get("X-Consul-Index")) > index);
    }

    @Test
    void aBlockingReadReturnsTheSameIndexWhenTheWaitEnds() {
        String name = newName();
        generateToken(name);
        long index = Long.parseLong(read.execute(readEvent(name, null)).getHeaders().get("X-Consul-Index"));
        APIGatewayV2HTTPResponse response = read.execute(readEvent(name, Map.of("index", Long.toString(index), "wait", "200ms")));
        assertEquals(200, response.getStatusCode());
        assertEquals(index, Long.parseLong(response.getHeaders().get("X-Consul-Index")));
    }

    @Test
    void streamFixtureFinishesTheDeletionAndIsIdempotent() {
        generate.execute(event("generate-token.json"));
        assertEquals(200, delete.execute(event("delete-peering.json")).getStatusCode());
        context.getBean(io.clusterpeering.store.ImportedDataStore.class).putTrustBundle(
                new io.clusterpeering.domain.PeeringKey(null, "cluster-02"), "x.consul", List.of("pem"), Instant.now());
        APIGatewayV2HTTPResponse deleting = read.execute(readEvent("cluster-02", null));
        assertTrue(deleting.getBody().contains("\"State\":\"DELETING\""), deleting.getBody());
        assertTrue(deleting.getBody().contains("\"DeletedAt\":\""), deleting.getBody());
        assertTrue(deleting.getBody().contains("\"ImportedItemsLeft\":1"), "the read says what is left to purge: "
                + deleting.getBody());

        DynamodbEvent records = Fixtures.event("stream-deleting.json", DynamodbEvent.class);
        StreamsEventResponse first = stream.execute(records);
        assertTrue(first.getBatchItemFailures().isEmpty());
        assertEquals(404, read.execute(readEvent("cluster-02", null)).getStatusCode());
        long indexAfterFirst = context.getBean(ConsulIndex.class).current(IndexScope.peerings("default"));

        StreamsEventResponse second = stream.execute(records);
        assertTrue(second.getBatchItemFailures().isEmpty());
        assertEquals(indexAfterFirst, context.getBean(ConsulIndex.class).current(IndexScope.peerings("default")), "the replay changed nothing");
    }

    @Test
    void generatingUnderANameBeingDeletedIsAConflict() {
        String name = newName();
        generateToken(name);
        APIGatewayV2HTTPEvent deleteEvent = event("delete-peering.json");
        deleteEvent.setPathParameters(Map.of("name", name));
        delete.execute(deleteEvent);

        APIGatewayV2HTTPResponse response = generate.execute(generateEvent("{\"PeerName\":\"" + name + "\"}"));
        assertEquals(409, response.getStatusCode());
        assertTrue(response.getBody().contains("marked for deletion"), response.getBody());
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
