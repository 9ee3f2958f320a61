package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.PeeringViews;
import io.clusterpeering.service.BlockingQuery;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.domain.PeeringException.PeeringNotFound;
import io.clusterpeering.store.IndexScope;
import io.micronaut.context.ApplicationContext;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code GET /v1/peering/{name}}: reads one peering, name matched case-insensitively, scoped by
 * {@code ?partition=}. As Consul's, the {@code X-Consul-Index} is the row's ModifyIndex, so without {@code ?index=}
 * a read is one GetItem; a blocking query ({@code ?index=&wait=}) waits for the row itself to change (re-read each
 * poll interval; its FAILING episodes and service-list changes move its ModifyIndex too, see
 * {@code StreamStatusStore}), or, for a name with no row, answers 404 at once when the partition's peerings counter is past
 * the client's index and otherwise waits for the row to appear ({@link BlockingQuery#readItem}). 404
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
        Indexed<Optional<Peering>> read = bean(BlockingQuery.class).readItem(request.index(), request.waitTime(),
                IndexScope.peerings(key.partition()), () -> service.readWithIndex(key));
        Peering peering = read.value().orElseThrow(() -> new PeeringNotFound(key.name()));
        return indexedAnswer(request, new Indexed<>(PeeringViews.of(peering, Instant.now(),
                bean(PeeringConfiguration.class).getHeartbeatTimeout(), service.importedItemsLeft(peering)),
                read.index()));
    }
}
