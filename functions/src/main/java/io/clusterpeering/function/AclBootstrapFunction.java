package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.AclShapes.TokenView;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.service.AclRequests.BootstrapBody;
import io.clusterpeering.service.AclManagementService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code PUT /v1/acl/bootstrap}: creates the first management token (policy {@code global-management}), once;
 * the answer carries its SecretID in clear and Consul's legacy {@code ID}. Later calls get 403
 * {@code Permission denied: ACL bootstrap no longer allowed (reset index: N)}; of concurrent calls exactly one
 * wins (a conditional write). An optional body {@code {"BootstrapSecret":"<uuid>"}} chooses the SecretID.
 * In AWS the stack bootstraps at deploy time, so this answers 403 there.
 */
public class AclBootstrapFunction extends ConsulHttpFunction {

    public AclBootstrapFunction() {
        super();
    }

    public AclBootstrapFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        BootstrapBody body = request.body() == null || request.body().isBlank() ? null
                : ConsulJson.readStrict(request.body(), BootstrapBody.class, "Bootstrap");
        AclManagementService acl = bean(AclManagementService.class);
        return ApiResponses.json(TokenView.bootstrapped(acl.bootstrap(body)), request.pretty());
    }
}
