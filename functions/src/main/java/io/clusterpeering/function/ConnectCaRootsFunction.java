package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ConnectShapes;
import io.clusterpeering.service.ConnectCaService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/connect/ca/roots}: this cluster's Connect CA roots (Consul's {@code structs.IndexedCARoots}), the
 * CA that peering tokens carry and peers store as {@code PeerCAPems}. Needs no ACL permission, as in Consul: roots
 * are public. {@code X-Consul-Index} is the cluster-wide config index; a blocking read waits on it.
 */
public class ConnectCaRootsFunction extends ConsulHttpFunction {

    public ConnectCaRootsFunction() {
        super();
    }

    public ConnectCaRootsFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        return blockingRead(request, () -> ConnectShapes.RootsView.of(bean(ConnectCaService.class).roots()));
    }
}
