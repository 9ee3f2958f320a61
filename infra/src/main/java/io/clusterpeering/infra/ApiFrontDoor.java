package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;
import software.amazon.awscdk.services.lambda.IFunction;

import java.util.Map;

/**
 * The API Gateway API in front of a cluster's functions: an HTTP API ({@link HttpApiFrontDoor}) or a REST API
 * ({@link RestApiFrontDoor}), chosen by {@link ApiSettings#variant()}. Either way: one integration per route of
 * {@link Routes#ALL} to that route's function, everything else to the catch-all (Consul's 404 and 405), the
 * shared throttle, and a base URL to which Consul's paths ({@code /v1/...}) are appended as they are.
 */
interface ApiFrontDoor {

    /**
     * The base URL clients and peer clusters use, without a trailing slash and without a path: Consul's paths
     * ({@code /v1/peering/token}) go right after it. Its host and port go into peering tokens.
     */
    String baseUrl();

    /** The API's ID (a CloudFormation reference), for outputs. */
    String apiId();

    /**
     * Wires every route to its function and everything else to the catch-all.
     *
     * @param routes    the function (its {@code live} alias) of each route of {@link Routes#ALL}
     * @param unrouted  the catch-all function: Consul's 404 and 405, and routing of what API Gateway cannot route
     */
    void connect(Map<Routes.Route, IFunction> routes, IFunction unrouted);
}
