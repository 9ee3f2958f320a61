package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.ConfigEntryService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/config/{kind}/{name}}: one config entry with its {@code CreateIndex} and {@code ModifyIndex};
 * 404 {@code Config entry not found for "<kind>" / "<name>"}. Blocking queries.
 */
public class ConfigGetFunction extends ConsulHttpFunction {

    public ConfigGetFunction() {
        super();
    }

    public ConfigGetFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> bean(ConfigEntryService.class).get(request.partitionOrDefault(),
                request.pathParameter("kind"), request.pathParameter("name"), request.caller()));
    }
}
