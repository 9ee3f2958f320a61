package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.TokenView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.AclRequests.TokenBody;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/acl/token/{AccessorID}}: replaces a token's Description, policies and identities
 * ({@code acl:write}); its SecretID, Local and expiration cannot change (400). The new rules apply to the
 * token's very next request.
 */
public class AclTokenUpdateFunction extends ConsulHttpFunction {

    public AclTokenUpdateFunction() {
        super();
    }

    public AclTokenUpdateFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        TokenBody body = ConsulJson.readStrict(request.body(), TokenBody.class, "Token");
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(TokenView.of(acl.updateToken(request.pathParameter("AccessorID"), body,
                request.caller())), request.pretty());
    }
}
