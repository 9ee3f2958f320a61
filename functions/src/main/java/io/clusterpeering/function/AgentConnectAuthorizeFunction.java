package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConnectShapes;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.IntentionDecisions;
import io.micronaut.context.ApplicationContext;

/**
 * {@code POST /v1/agent/connect/authorize}: may the client whose certificate names {@code ClientCertURI} connect to
 * {@code Target}? Answers {@code {"Authorized": bool, "Reason": text}} from the service-intentions, with peers
 * ({@link IntentionDecisions#authorize}). Needs {@code service:write} on the target, as Consul.
 */
public class AgentConnectAuthorizeFunction extends ConsulHttpFunction {

    public AgentConnectAuthorizeFunction() {
        super();
    }

    public AgentConnectAuthorizeFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        ConnectShapes.AuthorizeRequest body = ConsulJson.read(request.body(), ConnectShapes.AuthorizeRequest.class);
        IntentionDecisions.Decision decision = bean(IntentionDecisions.class).authorize(body.target(),
                body.clientCertUri(), request.partitionOrDefault(), request.caller());
        return ApiResponses.json(new ConnectShapes.AuthorizeResponse(decision.authorized(), decision.reason()),
                request.pretty());
    }
}
