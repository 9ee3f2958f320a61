package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.PolicyView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/acl/policy/{id}}: one policy ({@code acl:read}); 404
 * {@code Requested policy does not exist: ACL not found}. Blocking queries.
 */
public class AclPolicyReadFunction extends ConsulHttpFunction {

    public AclPolicyReadFunction() {
        super();
    }

    public AclPolicyReadFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        AclManagementService acl = bean(AclManagementService.class);
        return blockingRead(request, () -> PolicyView.of(acl.readPolicy(request.pathParameter("id"))));
    }
}
