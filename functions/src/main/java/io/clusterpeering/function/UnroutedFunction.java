package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ErrorResponses;
import io.micronaut.context.ApplicationContext;

/**
 * API Gateway's catch-all: answers what no route takes as Consul does (404 for an unknown path, 405 with
 * {@code Allow} for another method, 200 with {@code Allow} for OPTIONS). A request that does match a route
 * template but that API Gateway cannot route (an empty path segment, as in {@code GET /v1/peering/}) goes to that
 * route's handler, which answers its 400 before touching the store. On an HTTP API it is the {@code $default}
 * route; on a REST API the {@code ANY} method of every resource and of {@code /{proxy+}}. Both payload formats,
 * through {@link ApiGatewayFunction}.
 */
public class UnroutedFunction extends ApiGatewayFunction {

    public UnroutedFunction() {
        super();
    }

    public UnroutedFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public APIGatewayV2HTTPResponse answer(ApiRequest request) {
        try {
            return Routes.match(request.method(), request.path())
                    .map(match -> match.route().factory().apply(getApplicationContext())
                            .answer(request.withPathParameters(match.pathParameters())))
                    .orElseGet(() -> Routes.unrouted(request.method(), request.path(),
                            getApplicationContext().getBean(AclConfiguration.class).effectiveDefaultPolicy()));
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, request.requestId());
        }
    }
}
