package io.clusterpeering.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import io.clusterpeering.function.Routes;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.support.AclFlow;
import io.clusterpeering.support.ConsulHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.clusterpeering.support.AclFlow.bootstrap;
import static io.clusterpeering.support.AclFlow.denied;
import static io.clusterpeering.support.AclFlow.deniedAnonymous;
import static io.clusterpeering.support.PeeringFlow.client;
import static io.clusterpeering.support.PeeringFlow.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ACL matrix: every route of {@link Routes#ALL} called by nine kinds of caller through HTTP, on one cluster
 * with ACLs on and default deny, each answer compared with the status and text written in this table (not
 * computed from the code under test). Callers: no token, a read-only observer, a peering operator, a mesh
 * operator, a reader of service {@code web}, the management token, an expired token, a deleted token and an
 * unknown SecretID.
 */
class AclMatrixTest {
    /** The kinds of caller. */
    enum Caller { ANONYMOUS, READ_ONLY, PEERING_OPERATOR, MESH_OPERATOR, SERVICE_READER, MANAGEMENT, EXPIRED, DELETED, UNKNOWN }

    private static final Set<Caller> RESOLVABLE = EnumSet.range(Caller.ANONYMOUS, Caller.MANAGEMENT);
    private static final Set<Caller> UNRESOLVABLE = EnumSet.of(Caller.EXPIRED, Caller.DELETED, Caller.UNKNOWN);
    private static final String NODE_NAME = "cluster-peering-dc1";

    private static LocalCluster cluster;
    private static final Map<Caller, ConsulHttp> CLIENTS = new LinkedHashMap<>();
    private static final Map<Caller, String> ACCESSORS = new LinkedHashMap<>();
    private static String policyId;
    private static String policyName;
    private static String tokenToEdit;

    @BeforeAll
    static void startCluster() throws InterruptedException {
        cluster = AclFlow.startCluster("dc1", "deny", Map.of());
        ConsulHttp anonymous = client(cluster).withToken(null);
        String managementSecret = bootstrap(anonymous);
        ConsulHttp management = anonymous.withToken(managementSecret);
        CLIENTS.put(Caller.ANONYMOUS, anonymous);
        CLIENTS.put(Caller.MANAGEMENT, management);
        ACCESSORS.put(Caller.MANAGEMENT, json(management.get("/v1/acl/token/self").body()).get("AccessorID").asText());
        caller(Caller.READ_ONLY, management, """
                peering = "read"
                mesh = "read"
                service_prefix "" { policy = "read" }
                node_prefix "" { policy = "read" }
                agent_prefix "" { policy = "read" }
                """);
        caller(Caller.PEERING_OPERATOR, management, "peering = \"write\"\nmesh = \"write\"\noperator = \"read\"");
        caller(Caller.MESH_OPERATOR, management, "mesh = \"write\"");
        caller(Caller.SERVICE_READER, management, "service \"web\" { policy = \"read\" }\nnode_prefix \"\" { policy = \"read\" }");
        JsonNode deleted = AclFlow.token(management, "peering = \"write\"");
        management.delete("/v1/acl/token/" + deleted.get("AccessorID").asText());
        CLIENTS.put(Caller.DELETED, anonymous.withToken(deleted.get("SecretID").asText()));
        CLIENTS.put(Caller.UNKNOWN, anonymous.withToken(UUID.randomUUID().toString()));
        JsonNode policy = AclFlow.policy(management, "peering = \"write\"");
        policyId = policy.get("ID").asText();
        policyName = policy.get("Name").asText();
        HttpResponse<String> expiring = management.put("/v1/acl/token",
                "{\"ExpirationTTL\":\"1s\",\"Policies\":[{\"ID\":\"" + policyId + "\"}]}");
        CLIENTS.put(Caller.EXPIRED, anonymous.withToken(json(expiring.body()).get("SecretID").asText()));
        tokenToEdit = AclFlow.token(management, "peering = \"read\"").get("AccessorID").asText();

        management.post("/v1/peering/token", "{\"PeerName\":\"existing\"}");
        management.put("/v1/catalog/register", "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"web-1\",\"Service\":\"web\",\"Port\":8080}}");
        management.put("/v1/config", "{\"Kind\":\"service-intentions\",\"Name\":\"web\","
                + "\"Sources\":[{\"Name\":\"frontend\",\"Action\":\"allow\"}]}");
        Thread.sleep(1_100);
    }

    private static void caller(Caller kind, ConsulHttp management, String rules) {
        JsonNode token = AclFlow.token(management, rules);
        CLIENTS.put(kind, management.withToken(token.get("SecretID").asText()));
        ACCESSORS.put(kind, token.get("AccessorID").asText());
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    /** One request, as a caller of the given kind sends it. */
    record Request(String method, String path, String body) {
    }

    /** What a caller must get. */
    sealed interface Expect permits Status, Denied, Filtered, Text {
    }

    /** This status (and body prefix, when given). */
    record Status(int status, String bodyPrefix) implements Expect {
    }

    /** 403 with Consul's denial text for this permission ({@code service:write@web} for a named one). */
    record Denied(String permission) implements Expect {
    }

    /** 200 with a non-empty result when {@code sees}, else an empty one and the filtered header. */
    record Filtered(boolean sees) implements Expect {
    }

    /** This status and exactly this text. */
    record Text(int status, String body) implements Expect {
    }

    /**
     * One row: a route, the request made for it, and what each caller must get.
     *
     * @param route   the route's method and path template, as in {@link Routes}
     * @param request the request, per caller (names are unique per caller where a write would collide)
     * @param expect  the answer per caller
     */
    record Row(String route, Function<Caller, Request> request, Map<Caller, Expect> expect) {
        @Override
        public String toString() {
            return route;
        }
    }

    private static Row permission(String route, Function<Caller, Request> request, int okStatus, String permission,
                                  Caller... allowed) {
        Map<Caller, Expect> expect = new LinkedHashMap<>();
        for (Caller caller : Caller.values()) {
            if (UNRESOLVABLE.contains(caller)) {
                expect.put(caller, new Text(403, "ACL not found"));
            } else if (Arrays.asList(allowed).contains(caller)) {
                expect.put(caller, new Status(okStatus, null));
            } else {
                expect.put(caller, new Denied(permission));
            }
        }
        return new Row(route, request, expect);
    }

    private static Row filtered(String route, Function<Caller, Request> request, Caller... seeing) {
        Map<Caller, Expect> expect = new LinkedHashMap<>();
        for (Caller caller : Caller.values()) {
            expect.put(caller, UNRESOLVABLE.contains(caller) ? new Text(403, "ACL not found")
                    : new Filtered(Arrays.asList(seeing).contains(caller)));
        }
        return new Row(route, request, expect);
    }

    private static Row sameForAll(String route, Function<Caller, Request> request, Expect expect) {
        Map<Caller, Expect> all = new LinkedHashMap<>();
        for (Caller caller : Caller.values()) {
            all.put(caller, expect);
        }
        return new Row(route, request, all);
    }

    private static Function<Caller, Request> get(String path) {
        return c -> new Request("GET", path, null);
    }

    static List<Row> rows() {
        Caller ro = Caller.READ_ONLY, po = Caller.PEERING_OPERATOR, mo = Caller.MESH_OPERATOR, sr = Caller.SERVICE_READER,
                m = Caller.MANAGEMENT;
        Map<Caller, Expect> self = new LinkedHashMap<>();
        for (Caller caller : Caller.values()) {
            self.put(caller, RESOLVABLE.contains(caller) ? new Status(200, null) : new Text(404, "Supplied token does not exist"));
        }
        String exported = "{\"Kind\":\"exported-services\",\"Name\":\"default\",\"Services\":[{\"Name\":\"web\","
                + "\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}";
        return List.of(
                permission("POST /v1/peering/token", c -> new Request("POST", "/v1/peering/token",
                        "{\"PeerName\":\"m-" + c.name().toLowerCase().replace('_', '-') + "\"}"), 200, "peering:write", po, m),
                permission("POST /v1/peering/establish", c -> new Request("POST", "/v1/peering/establish",
                        "{\"PeerName\":\"e1\",\"PeeringToken\":\"not-a-token\"}"), 400, "peering:write", po, m),
                permission("GET /v1/peering/{name}", get("/v1/peering/existing"), 200, "peering:read", ro, po, m),
                permission("DELETE /v1/peering/{name}", c -> new Request("DELETE", "/v1/peering/never-existed", null),
                        200, "peering:write", po, m),
                permission("GET /v1/peerings", get("/v1/peerings"), 200, "peering:read", ro, po, m),
                permission("GET /v1/peering/token", get("/v1/peering/token"), 200, "peering:read", ro, po, m),
                // An allowed caller reaches the store, which has no such peering: 404, as for a missing peering.
                permission("DELETE /v1/peering/{name}/token", c -> new Request("DELETE",
                        "/v1/peering/never-existed/token", null), 404, "peering:write", po, m),
                permission("GET /v1/peering/{name}/events", get("/v1/peering/existing/events"), 200, "peering:read",
                        ro, po, m),
                permission("POST /v1/peering/check", c -> new Request("POST", "/v1/peering/check",
                        "{\"PeeringToken\":\"not-a-token\"}"), 200, "peering:write", po, m),
                permission("GET /v1/peering/{name}/check", get("/v1/peering/existing/check"), 200, "peering:read",
                        ro, po, m),
                permission("GET /v1/peering/{name}/services", get("/v1/peering/existing/services"), 200,
                        "peering:read", ro, po, m),
                permission("GET /v1/connect/ca/rotation", get("/v1/connect/ca/rotation"), 200, "operator:read", po, m),
                // Only the management token may: its one call starts the matrix cluster's only rotation.
                permission("POST /v1/connect/ca/rotate", c -> new Request("POST", "/v1/connect/ca/rotate", ""), 200,
                        "operator:write", m),
                permission("GET /v1/agent/self", get("/v1/agent/self"), 200,
                        "agent:read@" + NODE_NAME, ro, m),
                permission("GET /v1/agent/metrics", get("/v1/agent/metrics"), 200,
                        "agent:read@" + NODE_NAME, ro, m),
                // Consul's status endpoints check no permission and resolve no token: an unknown one is no 403.
                sameForAll("GET /v1/status/leader", get("/v1/status/leader"), new Status(200, "\"127.0.0.1:")),
                sameForAll("GET /v1/status/peers", get("/v1/status/peers"), new Status(200, "[\"127.0.0.1:")),
                permission("PUT /v1/catalog/register", c -> new Request("PUT", "/v1/catalog/register",
                        "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\",\"Service\":{\"ID\":\"web-1\",\"Service\":\"web\","
                                + "\"Port\":8080}}"), 200, "service:write@web", m),
                permission("PUT /v1/catalog/deregister", c -> new Request("PUT", "/v1/catalog/deregister",
                        "{\"Node\":\"node-9\",\"ServiceID\":\"nope\"}"), 200, "node:write@node-9", m),
                filtered("GET /v1/catalog/services", get("/v1/catalog/services"), ro, sr, m),
                filtered("GET /v1/catalog/service/{name}", get("/v1/catalog/service/web"), ro, sr, m),
                filtered("GET /v1/health/service/{name}", get("/v1/health/service/web"), ro, sr, m),
                permission("PUT /v1/config", c -> new Request("PUT", "/v1/config", exported), 200, "mesh:write", po, mo, m),
                filtered("GET /v1/config/{kind}", get("/v1/config/service-intentions"), ro, sr, m),
                permission("GET /v1/config/{kind}/{name}", get("/v1/config/exported-services/default"), 200, "mesh:read",
                        ro, po, mo, m),
                permission("DELETE /v1/config/{kind}/{name}", c -> new Request("DELETE", "/v1/config/service-resolver/nope",
                        null), 200, "service:write@nope", m),
                permission("GET /v1/exported-services", get("/v1/exported-services"), 200, "mesh:read", ro, po, mo, m),
                permission("GET /v1/imported-services", get("/v1/imported-services"), 200, "mesh:read", ro, po, mo, m),
                sameForAll("GET /v1/connect/ca/roots", get("/v1/connect/ca/roots"), new Status(200, "{\"ActiveRootID\"")),
                sameForAll("GET /v1/agent/connect/ca/roots", get("/v1/agent/connect/ca/roots"),
                        new Status(200, "{\"ActiveRootID\"")),
                permission("GET /v1/agent/connect/ca/leaf/{service}", get("/v1/agent/connect/ca/leaf/web"), 200,
                        "service:write@web", m),
                permission("POST /v1/agent/connect/authorize", c -> new Request("POST", "/v1/agent/connect/authorize",
                        "{\"Target\":\"web\",\"ClientCertURI\":\"spiffe://other.consul/ns/default/dc/dc9/svc/frontend\"}"),
                        200, "service:write@web", m),
                permission("GET /v1/connect/intentions/check",
                        get("/v1/connect/intentions/check?source=frontend&destination=web"), 200, "intention:read@web",
                        ro, sr, m),
                permission("GET /v1/connect/intentions/match", get("/v1/connect/intentions/match?by=destination&name=web"),
                        200, "intention:read@web", ro, sr, m),
                sameForAll("PUT /v1/acl/bootstrap", c -> new Request("PUT", "/v1/acl/bootstrap", null),
                        new Status(403, "Permission denied: ACL bootstrap no longer allowed (reset index: ")),
                permission("PUT /v1/acl/policy", c -> new Request("PUT", "/v1/acl/policy",
                        "{\"Name\":\"mx-" + c.name().toLowerCase().replace('_', '-') + "\"}"), 200, "acl:write", m),
                permission("GET /v1/acl/policy/{id}", c -> new Request("GET", "/v1/acl/policy/" + policyId, null), 200,
                        "acl:read", m),
                permission("PUT /v1/acl/policy/{id}", c -> new Request("PUT", "/v1/acl/policy/" + policyId,
                        "{\"Name\":\"" + policyName + "\",\"Rules\":\"peering = \\\"write\\\"\"}"), 200, "acl:write", m),
                permission("DELETE /v1/acl/policy/{id}", c -> new Request("DELETE", "/v1/acl/policy/" + UUID.randomUUID(),
                        null), 200, "acl:write", m),
                permission("GET /v1/acl/policy/name/{name}", c -> new Request("GET", "/v1/acl/policy/name/" + policyName,
                        null), 200, "acl:read", m),
                permission("GET /v1/acl/policies", get("/v1/acl/policies"), 200, "acl:read", m),
                permission("PUT /v1/acl/token", c -> new Request("PUT", "/v1/acl/token", "{}"), 200, "acl:write", m),
                new Row("GET /v1/acl/token/self", get("/v1/acl/token/self"), self),
                permission("GET /v1/acl/token/{AccessorID}", c -> new Request("GET", "/v1/acl/token/" + tokenToEdit, null),
                        200, "acl:read", m),
                permission("PUT /v1/acl/token/{AccessorID}", c -> new Request("PUT", "/v1/acl/token/" + tokenToEdit,
                        "{\"Description\":\"edited\"}"), 200, "acl:write", m),
                permission("PUT /v1/acl/token/{AccessorID}/clone", c -> new Request("PUT",
                        "/v1/acl/token/" + tokenToEdit + "/clone", "{}"), 200, "acl:write", m),
                permission("DELETE /v1/acl/token/{AccessorID}", c -> new Request("DELETE",
                        "/v1/acl/token/" + UUID.randomUUID(), null), 200, "acl:write", m),
                permission("GET /v1/acl/tokens", get("/v1/acl/tokens"), 200, "acl:read", m),
                sameForAll("POST /v1/internal/peering/exchange", c -> new Request("POST", "/v1/internal/peering/exchange",
                        "not-a-jws"), new Status(400, null)),
                sameForAll("POST /v1/internal/peering/message", c -> new Request("POST", "/v1/internal/peering/message",
                        "not-a-jws"), new Text(403, "Permission denied: the message is not a signed peering message")),
                sameForAll("POST /v1/internal/peering/probe", c -> new Request("POST", "/v1/internal/peering/probe",
                        "not-a-jws"), new Status(400, "the probe is invalid")));
    }

    static Stream<Arguments> cases() {
        return rows().stream().flatMap(row -> Arrays.stream(Caller.values()).map(caller -> Arguments.of(row, caller)));
    }

    @Test
    void theMatrixCoversEveryRoute() {
        Set<String> routes = Routes.ALL.stream().map(r -> r.method() + " " + r.path())
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> rows = rows().stream().map(Row::route).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(routes, rows);
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("cases")
    void eachCallerGetsWhatTheTableSays(Row row, Caller caller) {
        Request request = row.request().apply(caller);
        HttpResponse<String> response = CLIENTS.get(caller).send(request.method(), request.path(), request.body());
        Expect expect = row.expect().get(caller);
        String context = row.route() + " as " + caller + " -> " + response.statusCode() + " " + response.body();
        if (expect instanceof Status status) {
            assertEquals(status.status(), response.statusCode(), context);
            if (status.bodyPrefix() != null) {
                assertTrue(response.body().startsWith(status.bodyPrefix()), context);
            }
        } else if (expect instanceof Text text) {
            assertEquals(text.status(), response.statusCode(), context);
            assertEquals(text.body(), response.body(), context);
        } else if (expect instanceof Denied denied) {
            String[] permission = denied.permission().split("@");
            String name = permission.length > 1 ? permission[1] : null;
            assertEquals(403, response.statusCode(), context);
            assertEquals(caller == Caller.ANONYMOUS ? deniedAnonymous(permission[0], name)
                    : denied(ACCESSORS.get(caller), permission[0], name), response.body(), context);
        } else if (expect instanceof Filtered filtered) {
            assertEquals(200, response.statusCode(), context);
            assertEquals(filtered.sees(), !json(response.body()).isEmpty(), context);
            assertEquals(filtered.sees() ? "absent" : "true",
                    response.headers().firstValue("X-Consul-Results-Filtered-By-ACLs").orElse("absent"), context);
        }
    }
}
