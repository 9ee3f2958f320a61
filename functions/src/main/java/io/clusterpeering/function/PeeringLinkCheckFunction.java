package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.OperabilityShapes.CheckReport;
import io.clusterpeering.service.PeeringCheckService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/peering/{name}/check} (ours): the reachable part of the pre-flight check for an existing peering:
 * the peer's addresses, a signed probe answered under the CA pinned for the peer, the peer's view of the peering and
 * the clock skew. Needs {@code peering:read}. 404 when there is no such peering.
 */
public class PeeringLinkCheckFunction extends ConsulHttpFunction {

    public PeeringLinkCheckFunction() {
        super();
    }

    public PeeringLinkCheckFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return ApiResponses.json(CheckReport.of(bean(PeeringCheckService.class).checkLink(request.peeringKey("check"))),
                request.pretty());
    }
}
