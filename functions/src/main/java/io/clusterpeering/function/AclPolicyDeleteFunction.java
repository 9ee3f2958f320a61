package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code DELETE /v1/acl/policy/{id}}: deletes a policy ({@code acl:write}) and its rules from every token
 * that linked it; answers {@code true}, also for an unknown ID, as Consul. The builtin policy cannot be deleted (400).
 */
public class AclPolicyDeleteFunction extends ConsulHttpFunction {

    public AclPolicyDeleteFunction() {
        super();
    }

    public AclPolicyDeleteFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        bean(AclManagementService.class).deletePolicy(request.pathParameter("id"), request.caller());
        return ApiResponses.json(true, false);
    }
}
