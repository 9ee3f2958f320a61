package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.TokenView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.AclRequests.CloneBody;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/acl/token/{AccessorID}/clone}: a new token with the same policies, identities, Local and
 * expiration ({@code acl:write}); body {@code {"Description":"…"}}, empty keeps the original's. 403
 * {@code ACL not found} for an unknown token, as Consul.
 */
public class AclTokenCloneFunction extends ConsulHttpFunction {

    public AclTokenCloneFunction() {
        super();
    }

    public AclTokenCloneFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        String description = request.body() == null || request.body().isBlank() ? null
                : ConsulJson.readStrict(request.body(), CloneBody.class, "Token").description();
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(TokenView.of(acl.cloneToken(request.pathParameter("AccessorID"),
                description, request.caller())), request.pretty());
    }
}
