package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ConnectShapes;
import io.clusterpeering.service.IntentionDecisions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/connect/intentions/match?by=source|destination&name=...}: for each name, the intentions that cover
 * it, in evaluation order (Consul's map of name to intentions). By source a name may be {@code peer:<peer>/<service>}.
 * Several names come as repeated {@code name} parameters (API Gateway joins them with commas). Intentions on
 * destinations the caller may not read ({@code intention:read}) are left out.
 */
public class IntentionMatchFunction extends ConsulHttpFunction {

    public IntentionMatchFunction() {
        super();
    }

    public IntentionMatchFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        String by = request.query("by").orElse("");
        if (!by.equals("source") && !by.equals("destination")) {
            throw new InvalidRequest(by.isEmpty() ? "required query parameter 'by' not set"
                    : "'by' parameter must be one of 'source' or 'destination'");
        }
        List<String> names = request.query("name").filter(n -> !n.isEmpty())
                .map(n -> List.of(n.split(","))).orElse(List.of());
        return blockingRead(request, () -> {
            Map<String, List<ConnectShapes.IntentionView>> views = new LinkedHashMap<>();
            bean(IntentionDecisions.class).match(by.equals("source"), names, request.partitionOrDefault(),
                    request.caller()).forEach((name, found) ->
                    views.put(name, found.stream().map(ConnectShapes.IntentionView::of).toList()));
            return views;
        });
    }
}
