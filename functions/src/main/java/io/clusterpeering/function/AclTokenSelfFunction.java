package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.TokenView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/acl/token/self}: the request's own token with its SecretID (no permission needed); 404
 * {@code Supplied token does not exist} for an unknown SecretID, as Consul 1.15+.
 */
public class AclTokenSelfFunction extends ConsulHttpFunction {

    public AclTokenSelfFunction() {
        super();
    }

    public AclTokenSelfFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(TokenView.of(acl.readSelf(request.aclToken())), request.pretty());
    }
}
