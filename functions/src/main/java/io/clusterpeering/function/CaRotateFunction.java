package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConnectShapes.RotationView;
import io.clusterpeering.service.CaRotationService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code POST /v1/connect/ca/rotate} (ours): starts rotating the cluster's CA and signing key without re-peering
 * ({@link CaRotationService}); the heartbeat rounds finish it. 200 with the rotation's status; 409 while one is
 * under way. Needs {@code operator:write}, as Consul's CA configuration.
 */
public class CaRotateFunction extends ConsulHttpFunction {

    public CaRotateFunction() {
        super();
    }

    public CaRotateFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return ApiResponses.json(RotationView.of(bean(CaRotationService.class).start()), request.pretty());
    }
}
