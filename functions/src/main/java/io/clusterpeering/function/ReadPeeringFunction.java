package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.PeeringViews;
import io.clusterpeering.service.BlockingQuery;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

import java.time.Instant;

/**
 * {@code GET /v1/peering/{name}}: reads one peering, name matched case-insensitively, scoped by
 * {@code ?partition=}. Supports blocking queries ({@code ?index=&wait=}) and answers {@code X-Consul-Index}.
 * 404 {@code Peering not found for "<name>"} when there is none; 400 {@code Must specify a name to fetch.}
 * for an empty name.
 */
public class ReadPeeringFunction extends ConsulHttpFunction {

    public ReadPeeringFunction() {
        super();
    }

    public ReadPeeringFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PeeringKey key = request.peeringKey("fetch");
        PeeringService service = bean(PeeringService.class);
        long index = bean(BlockingQuery.class).awaitIndexAbove(request.index(), request.waitTime());
        var peering = service.read(key);
        return ApiResponses.jsonWithIndex(PeeringViews.of(peering, Instant.now(),
                bean(PeeringConfiguration.class).getHeartbeatTimeout(), service.importedItemsLeft(peering)),
                request.pretty(), index);
    }
}
