package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulJson;
import io.clusterpeering.http.ConsulShapes.GenerateTokenRequest;
import io.clusterpeering.http.ConsulShapes.GenerateTokenResponse;
import io.clusterpeering.service.GenerateTokenCommand;
import io.clusterpeering.service.AuditRecorder;
import io.clusterpeering.service.PeeringService;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.token.PeeringTokenCodec;
import io.micronaut.context.ApplicationContext;

/**
 * {@code POST /v1/peering/token}: generates a peering token for a peer, as the acceptor. Answers
 * {@code {"PeeringToken":"..."}}; 400 for a missing or invalid PeerName, Meta, Partition or address; 409 when
 * the name belongs to a dialer peering or is being deleted.
 */
public class GenerateTokenFunction extends ConsulHttpFunction {

    public GenerateTokenFunction() {
        super();
    }

    public GenerateTokenFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        GenerateTokenRequest body = ConsulJson.read(request.body(), GenerateTokenRequest.class);
        String token = bean(PeeringService.class).generateToken(new GenerateTokenCommand(body.peerName(),
                request.partition(body.partition()), body.meta(), body.serverExternalAddresses()),
                AuditRecorder.actorOf(request.caller()));
        return ApiResponses.json(new GenerateTokenResponse(token), request.pretty());
    }

    /**
     * Also walks what generating does after the ACL check, without writing or reading a secret: the token's signing
     * path with a throwaway key and made-up claims ({@link PeeringTokenCodec#primeEncoding}) and the DynamoDB
     * write calls under conditions that cannot hold ({@link ConsulIndex#primeWrites}), so the first token after a
     * restore loads neither JOSE nor write-marshalling classes; and the identity source's client is built
     * ({@link io.clusterpeering.token.ClusterIdentitySource#prepare}), so that read is only its call.
     */
    @Override
    protected void prime() {
        super.prime();
        PeeringTokenCodec.primeEncoding();
        bean(ConsulIndex.class).primeWrites();
        bean(io.clusterpeering.token.ClusterIdentitySource.class).prepare();
    }
}
