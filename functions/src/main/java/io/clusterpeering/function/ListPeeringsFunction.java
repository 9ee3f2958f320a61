package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.PeeringViews;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

import java.time.Instant;

/**
 * {@code GET /v1/peerings}: lists the peerings of a partition ({@code ?partition=}, default {@code default}),
 * ordered by name, DELETING and TERMINATED ones included; {@code []} when there are none. Supports blocking
 * queries and answers {@code X-Consul-Index}.
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
        return blockingRead(request, () -> {
            Instant now = Instant.now();
            var timeout = bean(PeeringConfiguration.class).getHeartbeatTimeout();
            var views = service.list(request.partition(null)).stream()
                    .map(p -> PeeringViews.of(p, now, timeout, service.importedItemsLeft(p))).toList();
            return views;
        });
    }
}
