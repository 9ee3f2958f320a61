package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.PolicyView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.AclRequests.PolicyBody;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/acl/policy/{id}}: replaces a policy ({@code acl:write}); the tokens that link it get its
 * new rules in the same transaction. The builtin global-management policy may be renamed, nothing else.
 */
public class AclPolicyUpdateFunction extends ConsulHttpFunction {

    public AclPolicyUpdateFunction() {
        super();
    }

    public AclPolicyUpdateFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PolicyBody body = ConsulJson.readStrict(request.body(), PolicyBody.class, "Policy");
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(PolicyView.of(acl.updatePolicy(request.pathParameter("id"), body, request.caller())),
                request.pretty());
    }
}
