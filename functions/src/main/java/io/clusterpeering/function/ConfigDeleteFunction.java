package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.ConfigEntryService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code DELETE /v1/config/{kind}/{name}}: deletes a config entry, also when there is none. Answers {@code true}.
 * With {@code ?cas=<index>} (the Go client's {@code ConfigEntries().DeleteCAS}, {@code consul config delete -cas})
 * it deletes only an entry whose ModifyIndex is that index, and answers {@code false} otherwise.
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
        boolean deleted = bean(ConfigEntryService.class).delete(request.partitionOrDefault(),
                request.pathParameter("kind"), request.pathParameter("name"), request.caller(),
                ConfigPutFunction.cas(request));
        return ApiResponses.json(deleted, false);
    }
}
