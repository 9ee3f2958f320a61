package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.ConfigEntryService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code DELETE /v1/config/{kind}/{name}}: deletes a config entry, also when there is none. Answers {@code true}.
 */
public class ConfigDeleteFunction extends ConsulHttpFunction {

    public ConfigDeleteFunction() {
        super();
    }

    public ConfigDeleteFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        bean(ConfigEntryService.class).delete(request.partitionOrDefault(), request.pathParameter("kind"),
                request.pathParameter("name"), request.caller());
        return ApiResponses.json(true, false);
    }
}
