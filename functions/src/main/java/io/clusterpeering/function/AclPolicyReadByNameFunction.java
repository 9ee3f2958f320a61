package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.PolicyView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/acl/policy/name/{name}}: one policy by name ({@code acl:read}); 404 as by ID, which
 * Consul's Go client turns into {@code nil}. Blocking queries.
 */
public class AclPolicyReadByNameFunction extends ConsulHttpFunction {

    public AclPolicyReadByNameFunction() {
        super();
    }

    public AclPolicyReadByNameFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        AclManagementService acl = bean(AclManagementService.class);
        return blockingRead(request, () -> PolicyView.of(acl.readPolicyByName(request.pathParameter("name"))));
    }
}
