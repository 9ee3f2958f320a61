package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code DELETE /v1/acl/token/{AccessorID}}: deletes a token ({@code acl:write}); its SecretID is refused
 * from the very next request. Answers {@code true}, also for an unknown token. 400 for the anonymous token or
 * the request's own token.
 */
public class AclTokenDeleteFunction extends ConsulHttpFunction {

    public AclTokenDeleteFunction() {
        super();
    }

    public AclTokenDeleteFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        bean(AclManagementService.class).deleteToken(request.pathParameter("AccessorID"), request.caller());
        return ApiResponses.json(true, false);
    }
}
