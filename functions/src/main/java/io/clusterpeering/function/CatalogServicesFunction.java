package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/catalog/services}: service names and their tags, of the local catalog or, with
 * {@code ?peer=<name>}, imported from that peer. One query over the service heads (with {@code ?peer=}, the
 * peering row too), which also returns the service list's counter, {@code X-Consul-Index}; blocking queries wait
 * on that counter.
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
        CatalogService catalog = bean(CatalogService.class);
        String partition = request.partitionOrDefault();
        return blockingRead(request, catalog.servicesScopes(partition, request.query("peer")),
                () -> catalog.services(partition, request.query("peer"), request.caller()));
    }
}
