package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.CatalogShapes.CatalogServiceView;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/catalog/service/{name}}: the instances of a service as {@code api.CatalogService}, local or,
 * with {@code ?peer=<name>}, imported from that peer ({@code PeerName} set). Blocking queries.
 */
public class CatalogServiceFunction extends ConsulHttpFunction {

    public CatalogServiceFunction() {
        super();
    }

    public CatalogServiceFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> {
            var instances = bean(CatalogService.class).instances(request.partitionOrDefault(), request.pathParameter("name"),
                    request.query("peer"), request.caller());
            return new Filtered<>(instances.value().stream().map(CatalogServiceView::of).toList(), instances.filtered());
        });
    }
}
