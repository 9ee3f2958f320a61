package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/catalog/services}: service names and their tags, of the local catalog or, with
 * {@code ?peer=<name>}, imported from that peer. Blocking queries; answers {@code X-Consul-Index}.
 */
public class CatalogServicesFunction extends ConsulHttpFunction {

    public CatalogServicesFunction() {
        super();
    }

    public CatalogServicesFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> bean(CatalogService.class).services(request.partitionOrDefault(),
                request.query("peer"), request.caller()));
    }
}
