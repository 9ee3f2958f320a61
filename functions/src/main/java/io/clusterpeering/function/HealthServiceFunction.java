package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.CatalogShapes.ServiceEntryView;
import io.clusterpeering.service.CatalogService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/health/service/{name}}: the instances of a service with their node and checks
 * ({@code api.ServiceEntry}), local or, with {@code ?peer=<name>}, imported from that peer (one folded
 * {@code <id>:overall-check} each). {@code ?passing} keeps only instances whose checks all pass. One query (with
 * {@code ?peer=}, the peering row too); blocking queries wait on the service's counter.
 */
public class HealthServiceFunction extends ConsulHttpFunction {

    public HealthServiceFunction() {
        super();
    }

    public HealthServiceFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        CatalogService catalog = bean(CatalogService.class);
        String partition = request.partitionOrDefault();
        String service = request.pathParameter("name");
        return blockingRead(request, catalog.instancesScopes(partition, service, request.query("peer")), () -> {
            boolean passingOnly = request.query("passing").filter(v -> !v.equalsIgnoreCase("false")).isPresent();
            var read = catalog.instances(partition, service, request.query("peer"), request.caller());
            var instances = read.value();
            return new Indexed<>(new Filtered<>(instances.value().stream().filter(i -> !passingOnly || i.passing())
                    .map(ServiceEntryView::of).toList(), instances.filtered()), read.index());
        });
    }
}
