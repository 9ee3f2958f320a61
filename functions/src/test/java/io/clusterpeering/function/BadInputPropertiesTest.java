package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.clusterpeering.config.DynamoDbConfiguration;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.local.LocalRouter;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.peer.PeerMessages;
import io.clusterpeering.service.EstablishCommand;
import io.clusterpeering.service.GenerateTokenCommand;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.TestDynamoDb;
import io.clusterpeering.token.PeeringTokenCodec;
import io.micronaut.context.ApplicationContext;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bad input, generated (jqwik): request bodies for generate, establish, catalog register and config put; names
 * in paths; Meta; the query parameters {@code index}, {@code wait}, {@code partition}, {@code dc}, {@code peer};
 * peering tokens (random and mutated real ones); and signed peer messages (random, mutated, signed by a
 * stranger, with malformed snapshots) posted to the internal routes. For every request: no 5xx (but the 502 of an
 * unreachable acceptor for a token that really is valid), no stack trace or exception name in the body, and when
 * the request is refused (4xx) the table holds exactly what it held before (a Scan of the whole table, compared),
 * but for the audit trail: a refused establish or secret exchange is itself an event to record (issue 12), so
 * items under {@code AUDIT#} are left out of the comparison.
 *
 * <p>Requests go through the route table to the same function classes API Gateway calls, as API Gateway v2
 * events. The cluster under test is a local one, peered with a second cluster (a plain context acting as the
 * dialer) so that validly signed messages exist to mutate; its stream poller and heartbeat schedule are slowed
 * to once an hour, so nothing but the request writes to the table.
 */
class BadInputPropertiesTest {
    private static final String ANONYMOUS = io.clusterpeering.acl.Caller.ANONYMOUS_ACCESSOR_ID;
    private static final int TRIES = 80;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern STACK_LINE = Pattern.compile("(?m)^\\s*at [\\w$.]+\\(|Exception|\\bat io\\.");
    private static final List<String> FIELDS = List.of("PeerName", "PeeringToken", "Partition", "Meta",
            "ServerExternalAddresses", "Node", "Address", "ID", "Service", "Check", "Checks", "Port", "Tags",
            "CheckID", "Status", "ServiceID", "Kind", "Name", "Services", "Consumers", "Peer", "Sources", "Action",
            "ConnectTimeout", "Failover", "Targets", "Datacenter", "NodeMeta", "TaggedAddresses", "Namespace");
    private static final List<String> KINDS = List.of("exported-services", "service-intentions", "service-resolver",
            "proxy-defaults", "mesh", "");

    private static LocalCluster cluster;
    private static ApplicationContext dialer;
    private static ApplicationContext stranger;
    private static LocalRouter router;
    private static DynamoDbClient dynamoDb;
    private static String table;
    private static String validToken;
    private static String acceptorId;
    private static String dialerId;

    @BeforeContainer
    static void start() {
        int port = EmbeddedDynamoDb.freePort();
        Map<String, Object> properties = new HashMap<>(TestDynamoDb.freshTable("properties"));
        properties.put("micronaut.server.port", port);
        properties.put("peering.advertise-url", "http://127.0.0.1:" + port);
        properties.put("peering.heartbeat-interval", "1h");
        properties.put("peering.local.stream-poll-interval", "1h");
        properties.put("peering.max-blocking-wait", "20ms");
        properties.put("peering.peer-call-timeout", "2s");
        cluster = LocalCluster.start(null, properties);
        router = new LocalRouter(cluster.context());
        dynamoDb = cluster.context().getBean(DynamoDbClient.class);
        table = cluster.context().getBean(DynamoDbConfiguration.class).getTableName();

        Map<String, Object> dialerProperties = new HashMap<>(TestDynamoDb.freshTable("properties-dialer"));
        dialerProperties.put("peering.datacenter", "dc2");
        dialerProperties.put("peering.advertise-url", "http://127.0.0.1:" + EmbeddedDynamoDb.freePort());
        dialer = ApplicationContext.run(dialerProperties);
        stranger = ApplicationContext.run(TestDynamoDb.freshTable("properties-stranger"));
        String token = cluster.context().getBean(PeeringService.class)
                .generateToken(new GenerateTokenCommand("dialer", null, null, null), ANONYMOUS);
        dialer.getBean(PeeringService.class).establish(new EstablishCommand("acceptor", null, token, null), ANONYMOUS);
        acceptorId = cluster.context().getBean(PeeringStore.class)
                .find(new io.clusterpeering.domain.PeeringKey(null, "dialer")).orElseThrow().id();
        dialerId = dialer.getBean(PeeringStore.class)
                .find(new io.clusterpeering.domain.PeeringKey(null, "acceptor")).orElseThrow().id();
        // A valid token of another cluster (the stranger's): unreachable, so establishing with it is a 502.
        validToken = stranger.getBean(PeeringService.class).generateToken(new GenerateTokenCommand("x", null, null, null), ANONYMOUS);
    }

    @AfterContainer
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (dialer != null) {
            dialer.close();
        }
        if (stranger != null) {
            stranger.close();
        }
    }

    @Property(tries = TRIES)
    void generateTokenNeverFailsOnABody(@ForAll("bodies") String body) {
        check("POST", "/v1/peering/token", Map.of(), body);
    }

    @Property(tries = TRIES)
    void generateTokenNeverFailsOnMeta(@ForAll("metas") String meta, @ForAll("names") String name) {
        check("POST", "/v1/peering/token", Map.of(), "{\"PeerName\":" + quote(name) + ",\"Meta\":" + meta + "}");
    }

    @Property(tries = TRIES)
    void establishNeverFailsOnABodyOrABadToken(@ForAll("names") String name, @ForAll("tokens") String token,
                                               @ForAll("bodies") String other, @ForAll boolean structured) {
        String body = structured ? "{\"PeerName\":" + quote(name) + ",\"PeeringToken\":" + quote(token) + "}" : other;
        APIGatewayV2HTTPResponse response = check("POST", "/v1/peering/establish", Map.of(), body);
        if (response.getStatusCode() == 502) {
            fail("a 502 for a token that is not valid: " + token);
        }
    }

    @Property(tries = TRIES)
    void catalogRegisterNeverFailsOnABody(@ForAll("bodies") String body) {
        check("PUT", "/v1/catalog/register", Map.of(), body);
    }

    @Property(tries = TRIES)
    void configPutNeverFailsOnABody(@ForAll("configBodies") String body) {
        check("PUT", "/v1/config", Map.of(), body);
    }

    @Property(tries = TRIES)
    void namesInPathsNeverFail(@ForAll("names") String name, @ForAll("pathTemplates") String template,
                               @ForAll boolean delete) {
        String path = template.replace("{kind}", encode(name.length() % 2 == 0 ? "service-resolver" : name))
                .replace("{name}", encode(name));
        check(delete && template.startsWith("/v1/peering/") ? "DELETE" : "GET", path, Map.of(), null);
    }

    @Property(tries = TRIES)
    void queryParametersNeverFail(@ForAll("readPaths") String path, @ForAll("queries") Map<String, String> query) {
        check("GET", path, query, null);
    }

    @Property(tries = TRIES)
    void peerMessagesNeverFail(@ForAll("peerMessages") String message, @ForAll boolean exchange) {
        check("POST", exchange ? PeeringService.EXCHANGE_PATH : PeeringService.MESSAGE_PATH, Map.of(), message);
    }

    /**
     * Sends one request and checks the answer: below 500 (502 only for a valid token), no stack trace, and no
     * change to the table when refused.
     */
    private static APIGatewayV2HTTPResponse check(String method, String path, Map<String, String> query, String body) {
        Set<Map<String, AttributeValue>> before = snapshot();
        APIGatewayV2HTTPResponse response = send(method, path, query, body);
        int status = response.getStatusCode();
        String text = response.getBody() == null ? "" : response.getBody();
        String request = method + " " + path + " " + query + " " + body;
        assertTrue(status < 500 || status == 502, "HTTP " + status + " for " + request + "\n" + text);
        assertFalse(STACK_LINE.matcher(text).find(), "a stack trace or exception name in the answer to " + request
                + "\n" + text);
        if (status >= 400) {
            assertEquals(before, snapshot(), "HTTP " + status + " (" + text + ") but the table changed, for " + request);
        }
        if (status == 502) {
            assertEquals("/v1/peering/establish", path, "502 only where an acceptor is called: " + request);
            assertTrue(tokenIsValid(body), "502 for an establish whose token is not valid: " + request);
        }
        return response;
    }

    private static boolean tokenIsValid(String body) {
        try {
            JsonNode json = JSON.readTree(body);
            cluster.context().getBean(PeeringTokenCodec.class).decode(json.path("PeeringToken").asText());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static APIGatewayV2HTTPResponse send(String method, String path, Map<String, String> query, String body) {
        var match = router.match(method, path);
        if (match.isEmpty()) {
            return Routes.unrouted(method, path, "allow");
        }
        StringBuilder raw = new StringBuilder();
        query.forEach((k, v) -> raw.append(raw.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey(method + " " + path).withRawPath(path)
                .withRawQueryString(raw.toString())
                .withHeaders(Map.of("content-type", "application/json"))
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(match.get().pathParameters().isEmpty() ? null : match.get().pathParameters())
                .withBody(body).withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(UUID.randomUUID().toString())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path).build())
                        .build())
                .build();
        return match.get().function().execute(event);
    }

    /** Every item of the table but the audit trail's (which records refusals too, by design). */
    private static Set<Map<String, AttributeValue>> snapshot() {
        Set<Map<String, AttributeValue>> items = new HashSet<>();
        dynamoDb.scanPaginator(r -> r.tableName(table).consistentRead(true)).items().forEach(item -> {
            if (!item.get("pk").s().startsWith("AUDIT#")) {
                items.add(item);
            }
        });
        return items;
    }

    // ---- generators ----

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(80),
                Arbitraries.strings().withChars("abcXYZ019-_.~ /%*?#").ofMinLength(1).ofMaxLength(70),
                Arbitraries.of("", " ", "a", "default", "dialer", "-a", "a-", "A", "a".repeat(64), "a".repeat(65),
                        "café", "..", "%2F", "null", "\u0000", "*"));
    }

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.oneOf(
                json(3).map(BadInputPropertiesTest::write),
                json(3).map(BadInputPropertiesTest::write).map(text -> text.substring(0, text.length() / 2)),
                Arbitraries.strings().ofMaxLength(120),
                Arbitraries.of("", "null", "[]", "{}", "0", "\"x\"", "{\"PeerName\":", "\u0000", "{\"PeerName\":null}"));
    }

    @Provide
    Arbitrary<String> configBodies() {
        return Arbitraries.oneOf(bodies(),
                Combinators.combine(Arbitraries.of(KINDS), names(), json(3)).as((kind, name, rest) -> {
                    ObjectNode entry = rest.isObject() ? (ObjectNode) rest : NODES.objectNode();
                    entry.put("Kind", kind);
                    entry.put("Name", name);
                    return write(entry);
                }));
    }

    @Provide
    Arbitrary<String> metas() {
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(200), Arbitraries.of("", "a", "consul-x"));
        return Arbitraries.oneOf(
                Arbitraries.maps(keys, Arbitraries.strings().ofMaxLength(600)).ofMaxSize(70).map(BadInputPropertiesTest::write),
                json(2).map(BadInputPropertiesTest::write));
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(300),
                Arbitraries.integers().between(0, 10_000).map(BadInputPropertiesTest::mutatedToken),
                Arbitraries.of("", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", validToken.substring(0, validToken.lastIndexOf('.') + 1),
                        String.join(".", List.of(validToken.split("\\.")[0], validToken.split("\\.")[1], "AAAA"))));
    }

    @Provide
    Arbitrary<String> pathTemplates() {
        return Arbitraries.of("/v1/peering/{name}", "/v1/catalog/service/{name}", "/v1/health/service/{name}",
                "/v1/config/{kind}/{name}", "/v1/config/{kind}", "/v1/peering/{name}/x");
    }

    @Provide
    Arbitrary<String> readPaths() {
        return Arbitraries.of("/v1/peerings", "/v1/peering/dialer", "/v1/catalog/services", "/v1/catalog/service/web",
                "/v1/health/service/web", "/v1/config/service-resolver", "/v1/exported-services",
                "/v1/imported-services", "/v1/agent/self", "/v1/status/leader", "/v1/status/peers");
    }

    @Provide
    Arbitrary<Map<String, String>> queries() {
        Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(40),
                Arbitraries.of("", "0", "1", "-1", "18446744073709551615", "18446744073709551616", "99999999999999999999",
                        "1s", "10ms", "5m", "1h30m", "1.5s", "-1s", "s", "30", "9999999999h", "dc1", "DC1", "default",
                        "dialer", "nope", "*"));
        return Arbitraries.maps(Arbitraries.of("index", "wait", "partition", "dc", "peer", "passing", "pretty", "ns",
                "filter", "token"), values).ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> peerMessages() {
        Arbitrary<PeerMessage.Kind> kinds = Arbitraries.of(PeerMessage.Kind.HEARTBEAT, PeerMessage.Kind.EXPORTED_SERVICES,
                PeerMessage.Kind.SERVICE_UPDATE, PeerMessage.Kind.SERVICE_SNAPSHOT);
        return Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(200),
                Arbitraries.of("", "a.b.c", validToken),
                // validly signed by the peer, with a random (often malformed) replication body
                Combinators.combine(kinds, json(3)).as((kind, snapshot) -> signedByDialer(kind, snapshot)),
                // validly signed by the peer, then altered
                Combinators.combine(kinds, json(2), Arbitraries.integers().between(0, 10_000))
                        .as((kind, snapshot, at) -> flip(signedByDialer(kind, snapshot), at)),
                // well-formed, addressed right, but signed by another cluster
                kinds.map(kind -> stranger.getBean(PeerMessages.class).signMessage(kind, dialerId, acceptorId, Instant.now())),
                // a validly signed secret exchange with a wrong secret, for the real acceptor row or another ID
                Combinators.combine(Arbitraries.strings().ofMaxLength(40), Arbitraries.of(true, false))
                        .as(BadInputPropertiesTest::exchangeWithWrongSecret));
    }

    private static String exchangeWithWrongSecret(String secret, boolean realPeering) {
        var identity = dialer.getBean(io.clusterpeering.token.ClusterIdentitySource.class).identity();
        return dialer.getBean(PeerMessages.class).signExchange(new PeerMessages.ExchangeRequest(
                realPeering ? acceptorId : UUID.randomUUID().toString(), secret, UUID.randomUUID().toString(),
                identity.caPems(), identity.serverName("dc2"), List.of("http://127.0.0.1:1"),
                new io.clusterpeering.domain.Remote("default", "dc2")), Instant.now());
    }

    private static String signedByDialer(PeerMessage.Kind kind, JsonNode snapshot) {
        Map<String, Object> claim = null;
        if (kind != PeerMessage.Kind.HEARTBEAT) {
            Object value = JSON.convertValue(snapshot, Object.class);
            claim = value instanceof Map<?, ?> map ? castMap(map) : Map.of("Services", value == null ? "" : value);
        }
        return dialer.getBean(PeerMessages.class).signMessage(kind, dialerId, acceptorId, Instant.now(), claim);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private static String mutatedToken(int at) {
        return flip(validToken, at);
    }

    /** The text with one character (not a dot) replaced by another base64url character. */
    private static String flip(String text, int at) {
        int index = at % text.length();
        while (text.charAt(index) == '.') {
            index = (index + 1) % text.length();
        }
        char replacement = text.charAt(index) == 'Q' ? 'g' : 'Q';
        return text.substring(0, index) + replacement + text.substring(index + 1);
    }

    /** JSON values up to a depth: objects mostly keyed by the API's own field names. */
    private static Arbitrary<JsonNode> json(int depth) {
        Arbitrary<JsonNode> leaves = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(70).map(NODES::textNode),
                Arbitraries.of("", "dialer", "default", "10.0.0.1", "127.0.0.1:1", "passing", "critical", "allow",
                        "deny", "*", "15s", "web", "a".repeat(300)).map(NODES::textNode),
                Arbitraries.longs().map(NODES::numberNode),
                Arbitraries.doubles().map(NODES::numberNode),
                Arbitraries.of(true, false).map(NODES::booleanNode),
                Arbitraries.just(NODES.nullNode()));
        if (depth == 0) {
            return leaves;
        }
        Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(FIELDS), Arbitraries.strings().ofMaxLength(12));
        Arbitrary<JsonNode> objects = Arbitraries.maps(keys, json(depth - 1)).ofMaxSize(6).map(fields -> {
            ObjectNode node = NODES.objectNode();
            node.setAll(fields);
            return node;
        });
        Arbitrary<JsonNode> arrays = json(depth - 1).list().ofMaxSize(4).map(items -> {
            var node = NODES.arrayNode();
            items.forEach(node::add);
            return node;
        });
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, leaves), net.jqwik.api.Tuple.of(5, objects),
                net.jqwik.api.Tuple.of(1, arrays));
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String quote(String text) {
        return write(text);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
