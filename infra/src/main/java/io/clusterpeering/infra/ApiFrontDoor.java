package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.Construct;

import java.util.Map;

/**
 * The API Gateway API in front of a cluster's functions: an HTTP API ({@link HttpApiFrontDoor}) or a REST API
 * ({@link RestApiFrontDoor}), chosen by {@link ApiSettings#variant()}. Either way: one integration per route of
 * {@link Routes#ALL} to that route's function, everything else to the catch-all (Consul's 404 and 405), the
 * shared throttle, and a base URL to which Consul's paths ({@code /v1/...}) are appended as they are.
 *
 * <p>The API itself (and its catch-all) lives in the cluster stack; each {@link RouteFamily}'s routes are wired in
 * that family's nested stack ({@link RouteFamilyStack}) beside their functions, against the API imported by its ID,
 * so that no template comes near CloudFormation's 500 resources however many routes the table grows.
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
     * Sends whatever no route takes to the catch-all, in the API's own stack. Call once, before {@link #connect}.
     *
     * @param unrouted the catch-all function: Consul's 404 and 405, and routing of what API Gateway cannot route
     */
    void connectUnrouted(IFunction unrouted);

    /**
     * Wires each of {@code routes} to its function, with what the API needs around it (REST: the resources of the
     * routes' paths and their catch-all {@code ANY}), in {@code scope}: a route family's nested stack, which holds
     * the functions too, so that only the API's IDs and the catch-all's alias cross stacks.
     *
     * @param scope  the stack the routes' API resources go to (a {@link RouteFamilyStack})
     * @param routes the function (its {@code live} alias) of each route of one family of {@link Routes#ALL}
     * @throws IllegalStateException when called before {@link #connectUnrouted}
     */
    void connect(Construct scope, Map<Routes.Route, IFunction> routes);
}
