package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.ConfigEntryService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/config/{kind}}: every config entry of a kind, ordered by name; {@code []} when none. Blocking
 * queries.
 */
public class ConfigListFunction extends ConsulHttpFunction {

    public ConfigListFunction() {
        super();
    }

    public ConfigListFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> bean(ConfigEntryService.class).list(request.partitionOrDefault(),
                request.pathParameter("kind"), request.caller()));
    }
}
