package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.OperabilityShapes.TokenView;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.store.IndexScope;
import io.micronaut.context.ApplicationContext;

import java.util.List;

/**
 * {@code GET /v1/peering/token} (ours; Consul answers 405 there): the peering tokens of a partition
 * ({@code ?partition=}) generated here and not yet used, revoked or expired, ordered by peer name, newest first,
 * each with {@code Superseded}; {@code []} when there are none. Needs {@code peering:read}. A blocking query
 * waits on the partition's peerings counter, which every generate, use and revoke advances.
 */
public class ListPeeringTokensFunction extends ConsulHttpFunction {

    public ListPeeringTokensFunction() {
        super();
    }

    public ListPeeringTokensFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PeeringService service = bean(PeeringService.class);
        String partition = request.partition(null);
        return blockingRead(request, List.of(IndexScope.peerings(partition)), () -> {
            var listed = service.outstandingTokens(partition);
            return new Indexed<>(listed.value().stream().map(TokenView::of).toList(), listed.index());
        });
    }
}
