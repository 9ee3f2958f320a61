package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

import java.util.Map;

/**
 * {@code POST /v1/internal/peering/message} (internal, cluster to cluster): takes a heartbeat, a replication
 * snapshot or a termination from a peer. The body is a message signed by the peer's cluster key; it is checked
 * against the CA pinned at establishment. Answers a heartbeat with {@code {"Heartbeat":"<our signed heartbeat>"}}
 * and anything else with {@code {}}; 403 when the peering is unknown or the signature does not hold; 409 when
 * the peering is no longer connected here or the message is not newer than the last one taken.
 */
public class PeerMessageFunction extends ConsulHttpFunction {

    public PeerMessageFunction() {
        super();
    }

    public PeerMessageFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return ApiResponses.json(bean(PeeringService.class)
                .receiveMessage(request.body() == null ? "" : request.body().strip())
                .map(answer -> Map.of("Heartbeat", answer)).orElse(Map.of()), false);
    }
}
