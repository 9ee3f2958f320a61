package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.CatalogRegistration;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/catalog/deregister}: removes a service instance ({@code ServiceID}), a check ({@code CheckID})
 * or a whole node from the local catalog. Answers {@code true}; 400 without {@code Node}.
 */
public class CatalogDeregisterFunction extends ConsulHttpFunction {

    public CatalogDeregisterFunction() {
        super();
    }

    public CatalogDeregisterFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        CatalogRegistration.Deregistration body = ConsulJson.read(request.body(), CatalogRegistration.Deregistration.class);
        bean(CatalogService.class).deregister(request.partitionOrDefault(), body, request.caller());
        return ApiResponses.json(true, false);
    }
}
