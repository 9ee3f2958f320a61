package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.CatalogRegistration;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/catalog/register}: registers a node, optionally a service instance and checks, in the local
 * catalog. Answers {@code true}, as Consul; 400 naming the missing or malformed field, with nothing written.
 */
public class CatalogRegisterFunction extends ConsulHttpFunction {

    public CatalogRegisterFunction() {
        super();
    }

    public CatalogRegisterFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        CatalogRegistration body = ConsulJson.read(request.body(), CatalogRegistration.class);
        bean(CatalogService.class).register(request.partitionOrDefault(), body, request.caller());
        return ApiResponses.json(true, false);
    }
}
