package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.AccessLevel;
import io.clusterpeering.acl.Resource;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.MetricsViews;
import io.clusterpeering.service.PeeringMetrics;
import io.micronaut.context.ApplicationContext;

import java.util.Map;

/**
 * {@code GET /v1/agent/metrics}: the metrics in Consul's JSON shape, or with {@code ?format=prometheus} in
 * Prometheus text format ({@code text/plain; version=0.0.4}). Needs {@code agent:read} on the agent's node name, as
 * Consul. The per-peering gauges are read from the store (every instance answers the same); counters and samples
 * are this process's ({@link PeeringMetrics#snapshot}).
 */
public class AgentMetricsFunction extends ConsulHttpFunction {

    public AgentMetricsFunction() {
        super();
    }

    public AgentMetricsFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        String nodeName = "cluster-peering-" + bean(PeeringConfiguration.class).getDatacenter();
        request.caller().require(Resource.AGENT, nodeName, AccessLevel.READ);
        String format = request.query("format").orElse("");
        if (!format.isEmpty() && !format.equals("prometheus")) {
            throw new InvalidRequest("format: only \"prometheus\" is supported, not \"" + format + "\"");
        }
        var snapshot = bean(PeeringMetrics.class).snapshot();
        if (format.equals("prometheus")) {
            var response = ApiResponses.text(200, MetricsViews.prometheus(snapshot), Map.of());
            response.getHeaders().put("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            return response;
        }
        return ApiResponses.json(MetricsViews.json(snapshot), request.pretty());
    }
}
