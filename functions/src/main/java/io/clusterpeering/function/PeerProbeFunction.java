package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.PeeringCheckService;
import io.micronaut.context.ApplicationContext;

import java.util.Map;

/**
 * {@code POST /v1/internal/peering/probe} (internal, cluster to cluster): answers a signed liveness probe with a
 * signed answer ({@code application/jose}) carrying this cluster's clock and what it can say about the peering
 * probed; changes nothing. Authenticated by signatures, never by ACL tokens. 400 for a malformed probe.
 */
public class PeerProbeFunction extends ConsulHttpFunction {

    public PeerProbeFunction() {
        super();
    }

    public PeerProbeFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        String answer = bean(PeeringCheckService.class).answerProbe(request.body() == null ? "" : request.body().strip());
        var response = ApiResponses.text(200, answer, Map.of());
        response.getHeaders().put("Content-Type", "application/jose");
        return response;
    }
}
