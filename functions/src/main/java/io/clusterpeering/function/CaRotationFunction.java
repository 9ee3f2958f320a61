package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConnectShapes.RotationView;
import io.clusterpeering.service.CaRotationService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/connect/ca/rotation} (ours): where a CA rotation stands: its phase, the roots presented to peers and
 * what the next step waits for (peers that have not yet taken the new root). Needs {@code operator:read}.
 */
public class CaRotationFunction extends ConsulHttpFunction {

    public CaRotationFunction() {
        super();
    }

    public CaRotationFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return ApiResponses.json(RotationView.of(bean(CaRotationService.class).status()), request.pretty());
    }
}
