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
 * {@code PUT /v1/acl/token}: creates a token ({@code acl:write}); the answer carries its SecretID in clear.
 * Optional chosen AccessorID/SecretID (UUIDs), policies by ID or Name, service and node identities,
 * ExpirationTTL (Go duration or nanoseconds) or ExpirationTime. 400 naming the field for anything invalid.
 */
public class AclTokenCreateFunction extends ConsulHttpFunction {

    public AclTokenCreateFunction() {
        super();
    }

    public AclTokenCreateFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        TokenBody body = ConsulJson.readStrict(request.body(), TokenBody.class, "Token");
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(TokenView.of(acl.createToken(body, request.caller())), request.pretty());
    }
}
