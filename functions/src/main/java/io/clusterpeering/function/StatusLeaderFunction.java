package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.micronaut.context.ApplicationContext;

import java.net.URI;

/**
 * {@code GET /v1/status/leader}: the address of the Raft leader, as a JSON string. This cluster answers as a
 * one-server Consul does, its own address, here the host and port of {@code PEERING_ADVERTISE_URL}
 * ({@code "127.0.0.1:8500"}). Clients other than Consul's ask for it first (Spring Cloud Consul's health
 * indicator, the npm {@code consul} client). As in Consul, status endpoints need no ACL permission: no token is
 * resolved, so an unknown one is not refused either.
 */
public class StatusLeaderFunction extends ConsulHttpFunction {
    public StatusLeaderFunction() {
        super();
    }

    public StatusLeaderFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return ApiResponses.json(advertisedAddress(bean(PeeringConfiguration.class)), request.pretty());
    }

    /** {@code host:port} of the advertised URL, with the scheme's default port when it names none. */
    static String advertisedAddress(PeeringConfiguration config) {
        URI advertised = URI.create(config.getAdvertiseUrl());
        int port = advertised.getPort() > 0 ? advertised.getPort() : ("https".equals(advertised.getScheme()) ? 443 : 80);
        return advertised.getHost() + ":" + port;
    }
}
