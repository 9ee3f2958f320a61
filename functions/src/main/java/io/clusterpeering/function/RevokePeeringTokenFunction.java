package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.OperabilityShapes.TokenView;
import io.clusterpeering.service.AuditRecorder;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code DELETE /v1/peering/{name}/token} (ours): revokes the peering's outstanding token, so a dialer presenting
 * it gets the usual 403; an established peering is not touched. 200 with the revoked token; 404 when there is no
 * such peering; 409 when nothing is outstanding. Needs {@code peering:write}.
 */
public class RevokePeeringTokenFunction extends ConsulHttpFunction {

    public RevokePeeringTokenFunction() {
        super();
    }

    public RevokePeeringTokenFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        var revoked = bean(PeeringService.class).revokeToken(request.peeringKey("revoke the token of"),
                AuditRecorder.actorOf(request.caller()));
        return ApiResponses.json(TokenView.of(revoked), request.pretty());
    }
}
