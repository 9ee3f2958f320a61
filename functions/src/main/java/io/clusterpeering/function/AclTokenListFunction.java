package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.TokenView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/acl/tokens}: every unexpired token as a list stub ({@code acl:read}); {@code ?policy=<ID>}
 * keeps the tokens linking that policy. SecretIDs are {@code <hidden>} unless the caller has {@code acl:write}.
 * Blocking queries.
 */
public class AclTokenListFunction extends ConsulHttpFunction {

    public AclTokenListFunction() {
        super();
    }

    public AclTokenListFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        AclManagementService acl = bean(AclManagementService.class);
        return blockingRead(request, () -> acl.listTokens(request.query("policy"), request.caller())
                .stream().map(TokenView::of).toList());
    }
}
