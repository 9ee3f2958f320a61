package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ErrorResponses;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;

/**
 * API Gateway's {@code $default} route: answers what no route takes as Consul does (404 for an unknown path,
 * 405 with {@code Allow} for another method, 200 with {@code Allow} for OPTIONS). A request that does match a
 * route template but that API Gateway cannot route (an empty path segment, as in {@code GET /v1/peering/})
 * goes to that route's handler, which answers its 400 before touching the store.
 */
public class UnroutedFunction extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    public UnroutedFunction() {
        super();
    }

    public UnroutedFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent event) {
        ApiRequest request = ApiRequest.of(event);
        try {
            return Routes.match(request.method(), request.path())
                    .map(match -> {
                        event.setPathParameters(match.pathParameters());
                        return match.route().factory().apply(getApplicationContext()).execute(event);
                    })
                    .orElseGet(() -> Routes.unrouted(request.method(), request.path(),
                            getApplicationContext().getBean(AclConfiguration.class).effectiveDefaultPolicy()));
        } catch (RuntimeException e) {
            return ErrorResponses.of(e, request.requestId());
        }
    }
}
