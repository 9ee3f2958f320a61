package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.http.CatalogShapes.ImportedServiceView;
import io.clusterpeering.service.ReplicationService;
import io.micronaut.context.ApplicationContext;

import java.util.List;

/**
 * {@code GET /v1/imported-services}: each service imported from a peer, with that peer's local name
 * ({@code SourcePeer}), as Consul CE answers: the peerings' StreamStatus.ImportedServices, one query over the
 * partition's peerings (with their counter). Blocking queries wait on that counter.
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
        String partition = request.partitionOrDefault();
        return blockingRead(request, List.of(IndexScope.peerings(partition)), () -> {
            var imports = bean(ReplicationService.class).importsWithIndex(partition);
            return new Indexed<>(imports.value().stream()
                    .map(i -> new ImportedServiceView(i.service(), i.peer())).toList(), imports.index());
        });
    }
}
