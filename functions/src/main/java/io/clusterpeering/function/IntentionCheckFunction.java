package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ConnectShapes;
import io.clusterpeering.service.IntentionDecisions;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/connect/intentions/check?source=&destination=}: would a connection be allowed
 * ({@code {"Allowed": bool}})? {@code source} may be {@code peer:<peer>/<service>}. Needs {@code intention:read} on
 * the destination.
 */
public class IntentionCheckFunction extends ConsulHttpFunction {

    public IntentionCheckFunction() {
        super();
    }

    public IntentionCheckFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> new ConnectShapes.CheckResponse(bean(IntentionDecisions.class)
                .check(request.query("source").orElse(""), request.query("destination").orElse(""),
                        request.partitionOrDefault(), request.caller())));
    }
}
