package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.CatalogShapes.Consumers;
import io.clusterpeering.http.CatalogShapes.ExportedServiceView;
import io.clusterpeering.service.ReplicationService;

import io.clusterpeering.domain.Indexed;
import io.clusterpeering.store.IndexScope;
import java.util.ArrayList;
import java.util.List;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/exported-services}: each exported service with the peers it is exported to, wildcards
 * expanded: the exported-services entry and the service heads (no instance is read). Blocking queries wait on the
 * config entries' counter and the service list's.
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
        String partition = request.partitionOrDefault();
        return blockingRead(request, List.of(IndexScope.GLOBAL, IndexScope.localServiceList(partition)), () -> {
            var views = new ArrayList<ExportedServiceView>();
            var exports = bean(ReplicationService.class).exportsWithIndex(partition);
            exports.value().forEach((service, peers) -> views.add(new ExportedServiceView(service, new Consumers(peers))));
            return new Indexed<>(views, exports.index());
        });
    }
}
