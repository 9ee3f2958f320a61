package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.PeeringViews;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.store.IndexScope;
import io.micronaut.context.ApplicationContext;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/peerings}: lists the peerings of a partition ({@code ?partition=}, default {@code default}),
 * ordered by name, DELETING and TERMINATED ones included; {@code []} when there are none. One query (paged by
 * DynamoDB) returns the rows and the partition's peerings counter, which is {@code X-Consul-Index}; blocking
 * queries wait on that counter.
 */
public class ListPeeringsFunction extends ConsulHttpFunction {

    public ListPeeringsFunction() {
        super();
    }

    public ListPeeringsFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PeeringService service = bean(PeeringService.class);
        String partition = request.partition(null);
        return blockingRead(request, List.of(IndexScope.peerings(partition)), () -> {
            Instant now = Instant.now();
            var timeout = bean(PeeringConfiguration.class).getHeartbeatTimeout();
            Indexed<List<Peering>> listed = service.listWithIndex(partition);
            return new Indexed<>(listed.value().stream()
                    .map(p -> PeeringViews.of(p, now, timeout, service.importedItemsLeft(p))).toList(), listed.index());
        });
    }
}
