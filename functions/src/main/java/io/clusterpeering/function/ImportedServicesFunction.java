package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.CatalogShapes.ImportedServiceView;
import io.clusterpeering.service.ReplicationService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/imported-services}: each service imported from a peer, with that peer's local name
 * ({@code SourcePeer}), as Consul CE answers. Blocking queries.
 */
public class ImportedServicesFunction extends ConsulHttpFunction {

    public ImportedServicesFunction() {
        super();
    }

    public ImportedServicesFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> {
            var views = bean(ReplicationService.class).imports(request.partitionOrDefault()).stream()
                    .map(i -> new ImportedServiceView(i.service(), i.peer())).toList();
            return views;
        });
    }
}
