package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.PeerMessageService;
import io.micronaut.context.ApplicationContext;


/**
 * {@code POST /v1/internal/peering/message} (internal, cluster to cluster): takes a heartbeat, a termination or
 * a replication message from a peer. The body is a message signed by the peer's cluster key; it is checked against
 * the CA pinned at establishment. Answers a heartbeat with {@code {"Heartbeat":"<our signed heartbeat>"}}, an
 * exported service list with the services to send again ({@code {"Resend":[...]}}) and anything else with
 * {@code {}}; 403 when the peering is unknown or the signature does not hold; 409 when the peering is no longer
 * connected here or a heartbeat is not newer than the last one taken; 400 when a replication body is malformed.
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
        return ApiResponses.json(bean(PeerMessageService.class).receiveMessage(request.body() == null ? ""
                : request.body().strip()), false);
    }
}
