package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.PeeringViews;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.domain.PeeringException.PeeringNotFound;
import io.clusterpeering.store.IndexScope;
import io.micronaut.context.ApplicationContext;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /v1/peering/{name}}: reads one peering, name matched case-insensitively, scoped by
 * {@code ?partition=}. Without {@code ?index=} a read is one GetItem and answers the row's ModifyIndex, as
 * Consul's {@code PeeringRead} does; a blocking query ({@code ?index=&wait=}) waits on the partition's peerings
 * counter, which also moves with what the row's stream bookkeeping changes (FAILING episodes, the imported and
 * exported lists), and answers it ({@link io.clusterpeering.service.BlockingQuery#read}). 404
 * {@code Peering not found for "<name>"} when there is none; 400 {@code Must specify a name to fetch.} for an
 * empty name.
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
        return blockingRead(request, List.of(IndexScope.peerings(key.partition())), () -> {
            Indexed<Peering> read = service.readWithIndex(key).orElseThrow(() -> new PeeringNotFound(key.name()));
            Peering peering = read.value();
            return new Indexed<>(PeeringViews.of(peering, Instant.now(),
                    bean(PeeringConfiguration.class).getHeartbeatTimeout(), service.importedItemsLeft(peering)),
                    read.index());
        });
    }
}
