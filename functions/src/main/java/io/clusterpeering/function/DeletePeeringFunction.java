package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.PeeringRules;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
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
        String name = request.pathParameter("name");
        if (name.isEmpty()) {
            throw new InvalidRequest("Must specify a name to delete.");
        }
        String partition = request.partition(null);
        PeeringRules.requireValidPartition(partition);
        bean(PeeringService.class).delete(new PeeringKey(partition, name));
        return ApiResponses.empty();
    }
}
