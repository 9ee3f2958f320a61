package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.TokenView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/acl/token/{AccessorID}}: one token ({@code acl:read}); its SecretID is in clear only for a
 * caller with {@code acl:write}, else {@code <hidden>}, as Consul (the Terraform provider's
 * {@code consul_acl_token_secret_id} relies on it). 404 {@code Requested token does not exist: ACL not found}.
 */
public class AclTokenReadFunction extends ConsulHttpFunction {

    public AclTokenReadFunction() {
        super();
    }

    public AclTokenReadFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> TokenView.of(bean(AclManagementService.class).readToken(
                request.pathParameter("AccessorID"), request.caller())));
    }
}
