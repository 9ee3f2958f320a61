package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.AuditRecorder;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code DELETE /v1/peering/{name}}: marks the peering DELETING and answers 200 with an empty body at once,
 * also for an unknown or already deleting name (Consul's behaviour). The stream handler finishes the deletion.
 */
public class DeletePeeringFunction extends ConsulHttpFunction {

    public DeletePeeringFunction() {
        super();
    }

    public DeletePeeringFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        bean(PeeringService.class).delete(request.peeringKey("delete"), AuditRecorder.actorOf(request.caller()));
        return ApiResponses.empty();
    }
}
