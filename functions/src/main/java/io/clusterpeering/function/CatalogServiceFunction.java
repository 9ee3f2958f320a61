package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.CatalogShapes.CatalogServiceView;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/catalog/service/{name}}: the instances of a service as {@code api.CatalogService}, local or,
 * with {@code ?peer=<name>}, imported from that peer ({@code PeerName} set). One query (with {@code ?peer=}, the
 * peering row too); blocking queries wait on the service's counter.
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
        CatalogService catalog = bean(CatalogService.class);
        String partition = request.partitionOrDefault();
        String service = request.pathParameter("name");
        return blockingRead(request, catalog.instancesScopes(partition, service, request.query("peer")), () -> {
            var read = catalog.instances(partition, service, request.query("peer"), request.caller());
            var instances = read.value();
            return new Indexed<>(new Filtered<>(instances.value().stream().map(CatalogServiceView::of).toList(),
                    instances.filtered()), read.index());
        });
    }
}
