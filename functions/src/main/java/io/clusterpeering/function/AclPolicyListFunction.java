package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.PolicyView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/acl/policies}: every policy as a list stub without Rules ({@code acl:read}). Blocking queries.
 */
public class AclPolicyListFunction extends ConsulHttpFunction {

    public AclPolicyListFunction() {
        super();
    }

    public AclPolicyListFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        AclManagementService acl = bean(AclManagementService.class);
        return blockingRead(request, () -> acl.listPolicies().stream().map(PolicyView::stub).toList());
    }
}
