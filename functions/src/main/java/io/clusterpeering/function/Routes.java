package io.clusterpeering.function;

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
            new Route("POST", "/v1/peering/token", GenerateTokenFunction.class, GenerateTokenFunction::new, false),
            new Route("POST", "/v1/peering/establish", EstablishFunction.class, EstablishFunction::new, false),
            new Route("GET", "/v1/peering/{name}", ReadPeeringFunction.class, ReadPeeringFunction::new, false),
            new Route("DELETE", "/v1/peering/{name}", DeletePeeringFunction.class, DeletePeeringFunction::new, false),
            new Route("GET", "/v1/peerings", ListPeeringsFunction.class, ListPeeringsFunction::new, false),
            new Route("GET", "/v1/agent/self", AgentSelfFunction.class, AgentSelfFunction::new, false),
            new Route("PUT", "/v1/catalog/register", CatalogRegisterFunction.class, CatalogRegisterFunction::new, false),
            new Route("PUT", "/v1/catalog/deregister", CatalogDeregisterFunction.class, CatalogDeregisterFunction::new, false),
            new Route("GET", "/v1/catalog/services", CatalogServicesFunction.class, CatalogServicesFunction::new, false),
            new Route("GET", "/v1/catalog/service/{name}", CatalogServiceFunction.class, CatalogServiceFunction::new, false),
            new Route("GET", "/v1/health/service/{name}", HealthServiceFunction.class, HealthServiceFunction::new, false),
            new Route("PUT", "/v1/config", ConfigPutFunction.class, ConfigPutFunction::new, false),
            new Route("GET", "/v1/config/{kind}", ConfigListFunction.class, ConfigListFunction::new, false),
            new Route("GET", "/v1/config/{kind}/{name}", ConfigGetFunction.class, ConfigGetFunction::new, false),
            new Route("DELETE", "/v1/config/{kind}/{name}", ConfigDeleteFunction.class, ConfigDeleteFunction::new, false),
            new Route("GET", "/v1/exported-services", ExportedServicesFunction.class, ExportedServicesFunction::new, false),
            new Route("GET", "/v1/imported-services", ImportedServicesFunction.class, ImportedServicesFunction::new, false),
            new Route("POST", PeeringService.EXCHANGE_PATH, ExchangeSecretFunction.class, ExchangeSecretFunction::new, true),
            new Route("POST", PeeringService.MESSAGE_PATH, PeerMessageFunction.class, PeerMessageFunction::new, true));

    private Routes() {
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
     * {@code method X not allowed} with {@code Allow} to any other method.
     */
    public static APIGatewayV2HTTPResponse unrouted(String method, String path) {
        List<String> allowed = new ArrayList<>();
        for (Route route : ALL) {
            if (matchPath(route.path(), path) != null) {
                allowed.add(route.method());
            }
        }
        if (allowed.isEmpty()) {
            return ApiResponses.text(404, "Invalid URL path: not a recognized HTTP API endpoint", Map.of());
        }
        String allow = "OPTIONS," + String.join(",", allowed);
        if (method.equals("OPTIONS")) {
            return ApiResponses.text(200, "", Map.of("Allow", allow));
        }
        return ApiResponses.text(405, "method " + method + " not allowed", Map.of("Allow", allow));
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
     */
    public record Route(String method, String path, Class<? extends ConsulHttpFunction> handler,
                        Function<ApplicationContext, ConsulHttpFunction> factory, boolean internal) {
    }
}
