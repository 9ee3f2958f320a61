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
 * {@code PUT /v1/acl/policy}: creates a policy ({@code acl:write}). 400 naming the field for an ID in the
 * body, a missing or malformed Name, a taken Name, or rules that do not parse (naming the line); unknown
 * body fields are refused ({@code Policy decoding failed: json: unknown field "X"}).
 */
public class AclPolicyCreateFunction extends ConsulHttpFunction {

    public AclPolicyCreateFunction() {
        super();
    }

    public AclPolicyCreateFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PolicyBody body = ConsulJson.readStrict(request.body(), PolicyBody.class, "Policy");
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(PolicyView.of(acl.createPolicy(body, request.caller())), request.pretty());
    }
}
