package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.micronaut.context.ApplicationContext;

import java.util.List;

/**
 * {@code GET /v1/status/peers}: the Raft peers' addresses, as a JSON array of strings. As a one-server Consul,
 * the only peer is this cluster itself: {@code ["127.0.0.1:8500"]}, the same address as
 * {@code /v1/status/leader}. No ACL permission is needed, as in Consul.
 */
public class StatusPeersFunction extends ConsulHttpFunction {
    public StatusPeersFunction() {
        super();
    }

    public StatusPeersFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return ApiResponses.json(List.of(StatusLeaderFunction.advertisedAddress(bean(PeeringConfiguration.class))),
                request.pretty());
    }
}
