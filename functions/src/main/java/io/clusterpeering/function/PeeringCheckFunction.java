package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.http.OperabilityShapes.CheckReport;
import io.clusterpeering.http.OperabilityShapes.CheckRequest;
import io.clusterpeering.service.PeeringCheckService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code POST /v1/peering/check} (ours): the pre-flight check of a peering token, run on the dialer before
 * establishing; never consumes the token. Needs {@code peering:write}, as establishing does. Answers 200 with
 * {@code {"Passed": ..., "Checks": [...]}} whatever the outcome; 400 without a token.
 */
public class PeeringCheckFunction extends ConsulHttpFunction {

    public PeeringCheckFunction() {
        super();
    }

    public PeeringCheckFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        CheckRequest body = ConsulJson.read(request.body(), CheckRequest.class);
        return ApiResponses.json(CheckReport.of(bean(PeeringCheckService.class).check(body.peeringToken())),
                request.pretty());
    }
}
