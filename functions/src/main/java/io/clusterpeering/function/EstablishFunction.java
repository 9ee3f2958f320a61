package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.http.ConsulShapes.EstablishRequest;
import io.clusterpeering.service.EstablishCommand;
import io.clusterpeering.service.AuditRecorder;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

import java.util.Map;

/**
 * {@code POST /v1/peering/establish}: establishes a peering with a token, as the dialer. Answers exactly
 * {@code {}}; 400 for a missing field or an invalid token, 403 {@code a new peering token must be generated}
 * for a reused or outdated token, 409 for a name held by an acceptor peering or being deleted, 502 when the
 * acceptor cannot be reached.
 */
public class EstablishFunction extends ConsulHttpFunction {

    public EstablishFunction() {
        super();
    }

    public EstablishFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        EstablishRequest body = ConsulJson.read(request.body(), EstablishRequest.class);
        bean(PeeringService.class).establish(new EstablishCommand(body.peerName(), request.partition(body.partition()),
                body.peeringToken(), body.meta()), AuditRecorder.actorOf(request.caller()));
        return ApiResponses.json(Map.of(), request.pretty());
    }
}
