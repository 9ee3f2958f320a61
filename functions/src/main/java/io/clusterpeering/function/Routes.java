package io.clusterpeering.function;

import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.acl.RouteAcl;
import io.clusterpeering.service.PeeringService;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiResponses;
import io.micronaut.context.ApplicationContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import java.util.List;
import java.util.function.Function;

/**
 * The route table: which function answers which method and path. API Gateway's routes (the deployment), the
 * local server and the OpenAPI document are all checked against this one list. Requests no route takes get
 * Consul's 404 or 405 from {@link #unrouted} ({@link UnroutedFunction} in AWS, the local server locally).
 */
public final class Routes {
    /** Every HTTP route, public (Consul's API) and internal (cluster to cluster). */
    public static final List<Route> ALL = List.of(
            new Route("POST", "/v1/peering/token", GenerateTokenFunction.class, GenerateTokenFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.WRITE)),
            // Before GET /v1/peering/{name}: a literal segment wins over a template, as in API Gateway (and Consul's
            // mux, where /v1/peering/token is its own endpoint), so no peer named "token" is hidden by a new path.
            new Route("GET", "/v1/peering/token", ListPeeringTokensFunction.class, ListPeeringTokensFunction::new,
                    false, RouteAcl.requires(Resource.PEERING, AccessLevel.READ)),
            new Route("DELETE", "/v1/peering/{name}/token", RevokePeeringTokenFunction.class,
                    RevokePeeringTokenFunction::new, false, RouteAcl.requires(Resource.PEERING, AccessLevel.WRITE)),
            new Route("POST", "/v1/peering/establish", EstablishFunction.class, EstablishFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.WRITE)),
            new Route("GET", "/v1/peering/{name}", ReadPeeringFunction.class, ReadPeeringFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.READ)),
            new Route("DELETE", "/v1/peering/{name}", DeletePeeringFunction.class, DeletePeeringFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.WRITE)),
            new Route("GET", "/v1/peerings", ListPeeringsFunction.class, ListPeeringsFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.READ)),
            new Route("GET", "/v1/peering/{name}/events", PeeringEventsFunction.class, PeeringEventsFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.READ)),
            new Route("POST", "/v1/peering/check", PeeringCheckFunction.class, PeeringCheckFunction::new, false,
                    RouteAcl.requires(Resource.PEERING, AccessLevel.WRITE)),
            new Route("GET", "/v1/peering/{name}/check", PeeringLinkCheckFunction.class, PeeringLinkCheckFunction::new,
                    false, RouteAcl.requires(Resource.PEERING, AccessLevel.READ)),
            new Route("GET", "/v1/peering/{name}/services", PeeringServicesFunction.class, PeeringServicesFunction::new,
                    false, RouteAcl.requires(Resource.PEERING, AccessLevel.READ)),
            new Route("GET", "/v1/agent/self", AgentSelfFunction.class, AgentSelfFunction::new, false,
                    RouteAcl.decidedByHandler("agent:read on this cluster's node name")),
            new Route("GET", "/v1/agent/metrics", AgentMetricsFunction.class, AgentMetricsFunction::new, false,
                    RouteAcl.decidedByHandler("agent:read on this cluster's node name")),
            // Consul's status endpoints check no ACL permission and resolve no token; neither do these.
            new Route("GET", "/v1/status/leader", StatusLeaderFunction.class, StatusLeaderFunction::new, false,
                    RouteAcl.none("none, as Consul: status endpoints need no permission and resolve no token")),
            new Route("GET", "/v1/status/peers", StatusPeersFunction.class, StatusPeersFunction::new, false,
                    RouteAcl.none("none, as Consul: status endpoints need no permission and resolve no token")),
            new Route("PUT", "/v1/catalog/register", CatalogRegisterFunction.class, CatalogRegisterFunction::new, false,
                    RouteAcl.decidedByHandler("node:write on Node unless it exists unchanged; service:write on the "
                            + "service and on the service of each service check; node:write for node checks")),
            new Route("PUT", "/v1/catalog/deregister", CatalogDeregisterFunction.class, CatalogDeregisterFunction::new, false,
                    RouteAcl.decidedByHandler("node:write on Node, or service:write on the service deregistered")),
            new Route("GET", "/v1/catalog/services", CatalogServicesFunction.class, CatalogServicesFunction::new, false,
                    RouteAcl.decidedByHandler("filtered: service:read per name; imported ones need read-all or write-any")),
            new Route("GET", "/v1/catalog/service/{name}", CatalogServiceFunction.class, CatalogServiceFunction::new, false,
                    RouteAcl.decidedByHandler("filtered: node:read and service:read per instance; imported ones need "
                            + "read-all or write-any")),
            new Route("GET", "/v1/health/service/{name}", HealthServiceFunction.class, HealthServiceFunction::new, false,
                    RouteAcl.decidedByHandler("filtered: node:read and service:read per instance; imported ones need "
                            + "read-all or write-any")),
            new Route("PUT", "/v1/config", ConfigPutFunction.class, ConfigPutFunction::new, false,
                    RouteAcl.decidedByHandler("after validation, by kind: mesh:write (exported-services), "
                            + "intention:write on Name (service-intentions), service:write on Name and service:read on "
                            + "its targets (service-resolver)")),
            new Route("GET", "/v1/config/{kind}", ConfigListFunction.class, ConfigListFunction::new, false,
                    RouteAcl.decidedByHandler("filtered per entry by the kind's read permission")),
            new Route("GET", "/v1/config/{kind}/{name}", ConfigGetFunction.class, ConfigGetFunction::new, false,
                    RouteAcl.decidedByHandler("by kind: mesh:read, intention:read on Name or service:read on Name")),
            new Route("DELETE", "/v1/config/{kind}/{name}", ConfigDeleteFunction.class, ConfigDeleteFunction::new, false,
                    RouteAcl.decidedByHandler("by kind, as PUT /v1/config")),
            new Route("GET", "/v1/exported-services", ExportedServicesFunction.class, ExportedServicesFunction::new, false,
                    RouteAcl.requires(Resource.MESH, AccessLevel.READ)),
            new Route("GET", "/v1/imported-services", ImportedServicesFunction.class, ImportedServicesFunction::new, false,
                    RouteAcl.requires(Resource.MESH, AccessLevel.READ)),
            new Route("GET", "/v1/connect/ca/roots", ConnectCaRootsFunction.class, ConnectCaRootsFunction::new, false,
                    RouteAcl.none("the CA roots are public, as in Consul")),
            new Route("POST", "/v1/connect/ca/rotate", CaRotateFunction.class, CaRotateFunction::new, false,
                    RouteAcl.requires(Resource.OPERATOR, AccessLevel.WRITE)),
            new Route("GET", "/v1/connect/ca/rotation", CaRotationFunction.class, CaRotationFunction::new, false,
                    RouteAcl.requires(Resource.OPERATOR, AccessLevel.READ)),
            new Route("GET", "/v1/agent/connect/ca/roots", AgentConnectCaRootsFunction.class,
                    AgentConnectCaRootsFunction::new, false, RouteAcl.none("the CA roots are public, as in Consul")),
            new Route("GET", "/v1/agent/connect/ca/leaf/{service}", AgentConnectCaLeafFunction.class,
                    AgentConnectCaLeafFunction::new, false,
                    RouteAcl.decidedByHandler("service:write on the service (ConnectCaService.leaf)")),
            new Route("POST", "/v1/agent/connect/authorize", AgentConnectAuthorizeFunction.class,
                    AgentConnectAuthorizeFunction::new, false,
                    RouteAcl.decidedByHandler("service:write on the Target (IntentionDecisions.authorize)")),
            new Route("GET", "/v1/connect/intentions/check", IntentionCheckFunction.class, IntentionCheckFunction::new,
                    false, RouteAcl.decidedByHandler("intention:read on the destination (IntentionDecisions.check)")),
            new Route("GET", "/v1/connect/intentions/match", IntentionMatchFunction.class, IntentionMatchFunction::new,
                    false, RouteAcl.decidedByHandler("intentions filtered by intention:read on their destination")),
            new Route("PUT", "/v1/acl/bootstrap", AclBootstrapFunction.class, AclBootstrapFunction::new, false,
                    RouteAcl.aclApiWithoutToken("no token: allowed once")),
            new Route("PUT", "/v1/acl/policy", AclPolicyCreateFunction.class, AclPolicyCreateFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            new Route("GET", "/v1/acl/policy/{id}", AclPolicyReadFunction.class, AclPolicyReadFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.READ)),
            new Route("PUT", "/v1/acl/policy/{id}", AclPolicyUpdateFunction.class, AclPolicyUpdateFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            new Route("DELETE", "/v1/acl/policy/{id}", AclPolicyDeleteFunction.class, AclPolicyDeleteFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            new Route("GET", "/v1/acl/policy/name/{name}", AclPolicyReadByNameFunction.class,
                    AclPolicyReadByNameFunction::new, false, RouteAcl.requires(Resource.ACL, AccessLevel.READ)),
            new Route("GET", "/v1/acl/policies", AclPolicyListFunction.class, AclPolicyListFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.READ)),
            new Route("PUT", "/v1/acl/token", AclTokenCreateFunction.class, AclTokenCreateFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            // Before the {AccessorID} routes: a literal segment wins over a template, as in API Gateway.
            new Route("GET", "/v1/acl/token/self", AclTokenSelfFunction.class, AclTokenSelfFunction::new, false,
                    RouteAcl.aclApiWithoutToken("resolves its own token: an unknown one is 404")),
            new Route("GET", "/v1/acl/token/{AccessorID}", AclTokenReadFunction.class, AclTokenReadFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.READ)),
            new Route("PUT", "/v1/acl/token/{AccessorID}", AclTokenUpdateFunction.class, AclTokenUpdateFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            new Route("PUT", "/v1/acl/token/{AccessorID}/clone", AclTokenCloneFunction.class, AclTokenCloneFunction::new,
                    false, RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            new Route("DELETE", "/v1/acl/token/{AccessorID}", AclTokenDeleteFunction.class, AclTokenDeleteFunction::new,
                    false, RouteAcl.requires(Resource.ACL, AccessLevel.WRITE)),
            new Route("GET", "/v1/acl/tokens", AclTokenListFunction.class, AclTokenListFunction::new, false,
                    RouteAcl.requires(Resource.ACL, AccessLevel.READ)),
            new Route("POST", PeeringService.EXCHANGE_PATH, ExchangeSecretFunction.class, ExchangeSecretFunction::new, true,
                    RouteAcl.none("cluster to cluster: authenticated by the establishment secret and signatures")),
            new Route("POST", PeeringService.MESSAGE_PATH, PeerMessageFunction.class, PeerMessageFunction::new, true,
                    RouteAcl.none("cluster to cluster: signed by the peer's cluster key")),
            new Route("POST", io.clusterpeering.service.PeeringCheckService.PROBE_PATH, PeerProbeFunction.class,
                    PeerProbeFunction::new, true,
                    RouteAcl.none("cluster to cluster: a signed liveness probe, answered signed; changes nothing")));

    private static final Map<Class<? extends ConsulHttpFunction>, Route> BY_HANDLER = byHandler();

    private Routes() {
    }

    /**
     * The route a function class answers.
     *
     * @throws IllegalStateException when the class is not in the table
     */
    public static Route of(Class<? extends ConsulHttpFunction> handler) {
        Route route = BY_HANDLER.get(handler);
        if (route == null) {
            throw new IllegalStateException(handler.getName() + " answers no route of the route table");
        }
        return route;
    }

    private static Map<Class<? extends ConsulHttpFunction>, Route> byHandler() {
        Map<Class<? extends ConsulHttpFunction>, Route> routes = new java.util.HashMap<>();
        for (Route route : ALL) {
            if (routes.put(route.handler(), route) != null) {
                throw new IllegalStateException(route.handler().getName() + " answers two routes");
            }
        }
        return routes;
    }

    /**
     * The route for a method and path, as API Gateway matches them, with the path parameters' values
     * (URL-decoded). A template segment {@code {name}} matches one segment, also an empty one, so that
     * {@code GET /v1/peering/} reaches the read handler's "Must specify a name" answer.
     */
    public static Optional<Match> match(String method, String path) {
        for (Route route : ALL) {
            if (route.method().equals(method)) {
                Map<String, String> parameters = matchPath(route.path(), path);
                if (parameters != null) {
                    return Optional.of(new Match(route, parameters));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Consul's answer for a request no route takes: 404 {@code Invalid URL path: not a recognized HTTP API
     * endpoint} for an unknown path; for a known path, 200 with {@code Allow} to OPTIONS and 405
     * {@code method X not allowed} with {@code Allow} to any other method. Every answer carries
     * {@code X-Consul-Default-ACL-Policy}.
     *
     * @param defaultAclPolicy the value of that header ({@code allow} or {@code deny})
     */
    public static APIGatewayV2HTTPResponse unrouted(String method, String path, String defaultAclPolicy) {
        List<String> allowed = new ArrayList<>();
        for (Route route : ALL) {
            if (matchPath(route.path(), path) != null) {
                allowed.add(route.method());
            }
        }
        String policyHeader = "X-Consul-Default-ACL-Policy";
        if (allowed.isEmpty()) {
            return ApiResponses.text(404, "Invalid URL path: not a recognized HTTP API endpoint",
                    Map.of(policyHeader, defaultAclPolicy));
        }
        String allow = "OPTIONS," + String.join(",", allowed);
        if (method.equals("OPTIONS")) {
            return ApiResponses.text(200, "", Map.of("Allow", allow, policyHeader, defaultAclPolicy));
        }
        return ApiResponses.text(405, "method " + method + " not allowed", Map.of("Allow", allow, policyHeader, defaultAclPolicy));
    }

    private static Map<String, String> matchPath(String template, String path) {
        String[] expected = template.split("/", -1);
        String[] actual = path.split("/", -1);
        if (expected.length != actual.length) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i].startsWith("{") && expected[i].endsWith("}")) {
                parameters.put(expected[i].substring(1, expected[i].length() - 1),
                        URLDecoder.decode(actual[i], StandardCharsets.UTF_8));
            } else if (!expected[i].equals(actual[i])) {
                return null;
            }
        }
        return parameters;
    }

    /**
     * A matched route.
     *
     * @param route          the route
     * @param pathParameters the values of its template's parameters
     */
    public record Match(Route route, Map<String, String> pathParameters) {
    }

    /**
     * One route.
     *
     * @param method   the HTTP method
     * @param path     the path template; {@code {name}} is a path parameter
     * @param handler  the function class
     * @param factory  builds the function over an existing application context
     * @param internal true for routes only other clusters call
     * @param acl      what the route requires of the caller's ACL token
     */
    public record Route(String method, String path, Class<? extends ConsulHttpFunction> handler,
                        Function<ApplicationContext, ConsulHttpFunction> factory, boolean internal, RouteAcl acl) {
    }
}
