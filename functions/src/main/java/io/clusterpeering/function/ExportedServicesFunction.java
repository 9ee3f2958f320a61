package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.CatalogShapes.Consumers;
import io.clusterpeering.http.CatalogShapes.ExportedServiceView;
import io.clusterpeering.service.ReplicationService;

import java.util.ArrayList;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/exported-services}: each exported service with the peers it is exported to, wildcards
 * expanded. Blocking queries.
 */
public class ExportedServicesFunction extends ConsulHttpFunction {

    public ExportedServicesFunction() {
        super();
    }

    public ExportedServicesFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> {
            var views = new ArrayList<ExportedServiceView>();
            bean(ReplicationService.class).exports(request.partitionOrDefault())
                    .forEach((service, peers) -> views.add(new ExportedServiceView(service, new Consumers(peers))));
            return views;
        });
    }
}
