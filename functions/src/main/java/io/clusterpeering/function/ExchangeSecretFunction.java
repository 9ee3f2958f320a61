package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulShapes.ExchangeResponse;
import io.clusterpeering.service.PeeringService;
import io.micronaut.context.ApplicationContext;

/**
 * {@code POST /v1/internal/peering/exchange} (internal, cluster to cluster): the acceptor's end of the secret
 * exchange. The body is the dialer's signed exchange request ({@code application/jose}). Answers
 * {@code {"PeerID":"<acceptor peering ID>","Answer":"<the same, signed by the acceptor>"}}; 403 {@code a new peering token must be generated: ...} when the
 * secret was used, replaced or never existed; 400 for a malformed or badly signed request.
 */
public class ExchangeSecretFunction extends ConsulHttpFunction {

    public ExchangeSecretFunction() {
        super();
    }

    public ExchangeSecretFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PeeringService.ExchangeResult result = bean(PeeringService.class)
                .exchangeSecret(request.body() == null ? "" : request.body().strip());
        return ApiResponses.json(new ExchangeResponse(result.acceptorPeeringId(), result.signedAnswer()), false);
    }
}
