package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.SyncShapes.SyncReportView;
import io.clusterpeering.service.SyncStatusService;
import io.clusterpeering.store.IndexScope;
import io.micronaut.context.ApplicationContext;

import java.util.List;

/**
 * {@code GET /v1/peering/{name}/services} (ours; Consul has no per-service status): every service this cluster
 * exports to the peer and imports from it, each with its state (synced, pending, refused, purging), the reason, and
 * what each side holds ({@link SyncStatusService}); {@code ?service=} reports one service, also one not exported.
 * Asks the peer for its half over the signed channel. Needs {@code peering:read}; services the token cannot
 * {@code service:read} are left out ({@code X-Consul-Results-Filtered-By-ACLs}). 404 when there is no such peering.
 */
public class PeeringServicesFunction extends ConsulHttpFunction {

    public PeeringServicesFunction() {
        super();
    }

    public PeeringServicesFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PeeringKey key = request.peeringKey("read the sync status of");
        String service = request.query("service").orElse(null);
        Caller caller = request.caller();
        return blockingRead(request, List.of(IndexScope.peerings(key.partition())), () -> {
            var report = bean(SyncStatusService.class).report(key, service,
                    name -> caller.can(Resource.SERVICE, name, AccessLevel.READ));
            return new Indexed<>(new Filtered<>(SyncReportView.of(report.value().value()), report.value().filtered()),
                    report.index());
        });
    }
}
