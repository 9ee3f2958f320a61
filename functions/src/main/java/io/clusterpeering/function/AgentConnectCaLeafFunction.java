package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ConnectShapes;
import io.clusterpeering.service.ConnectCaService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/agent/connect/ca/leaf/:service}: a new leaf certificate for a local service (Consul's
 * {@code structs.IssuedCert}), signed by this cluster's CA, its SPIFFE ID the only URI SAN. Needs
 * {@code service:write} on the service. The key is made for this answer and never stored. This function is the one
 * Micronaut function deployed from the jar with Bouncy Castle ({@code connect-leaf-lambda.jar}).
 */
public class AgentConnectCaLeafFunction extends ConsulHttpFunction {

    public AgentConnectCaLeafFunction() {
        super();
    }

    public AgentConnectCaLeafFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        String partition = request.partitionOrDefault();
        return blockingRead(request, () -> ConnectShapes.IssuedCertView.of(bean(ConnectCaService.class)
                .leaf(request.pathParameter("service"), partition, request.caller()), partition));
    }
}
