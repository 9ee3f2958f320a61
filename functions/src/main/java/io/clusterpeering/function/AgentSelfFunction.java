package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ConsulShapes.AgentConfig;
import io.clusterpeering.http.ConsulShapes.AgentMember;
import io.clusterpeering.http.ConsulShapes.AgentSelf;
import io.clusterpeering.token.ClusterIdentitySource;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/agent/self}: the minimal agent description the Terraform provider reads to learn the
 * datacenter ({@code Config.Datacenter}); every top-level value is an object, as the Go client requires.
 * Needs {@code agent:read} on the agent's node name ({@code cluster-peering-<datacenter>}), as Consul.
 */
public class AgentSelfFunction extends ConsulHttpFunction {
    /** The Consul version whose peering API we mirror, reported so clients enable the matching features. */
    static final String CONSUL_API_VERSION = "1.20.0";

    public AgentSelfFunction() {
        super();
    }

    public AgentSelfFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        PeeringConfiguration config = bean(PeeringConfiguration.class);
        String nodeName = "cluster-peering-" + config.getDatacenter();
        request.caller().require(Resource.AGENT, nodeName, AccessLevel.READ);
        String clusterId = bean(ClusterIdentitySource.class).identity().clusterId();
        // The advertised host:port, as /v1/status/leader answers it (443 or 80 when the URL names no port: an
        // API Gateway URL in AWS names none, and its port was -1 here).
        String address = StatusLeaderFunction.advertisedAddress(config);
        int colon = address.lastIndexOf(':');
        return ApiResponses.json(new AgentSelf(
                new AgentConfig(config.getDatacenter(), nodeName, clusterId, true, CONSUL_API_VERSION),
                new AgentMember(nodeName, address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), 1)),
                request.pretty());
    }
}
