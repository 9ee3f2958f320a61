package io.clusterpeering.function;

import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

import java.util.List;
import java.util.function.Function;

/**
 * The route table: which function answers which method and path. API Gateway's routes (the deployment), the
 * local server and the OpenAPI document are all checked against this one list.
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
            new Route("POST", PeeringService.EXCHANGE_PATH, ExchangeSecretFunction.class, ExchangeSecretFunction::new, true),
            new Route("POST", PeeringService.MESSAGE_PATH, PeerMessageFunction.class, PeerMessageFunction::new, true));

    private Routes() {
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
