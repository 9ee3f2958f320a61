package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.OperabilityShapes.EventPage;
import io.clusterpeering.service.AuditTrail;
import io.micronaut.context.ApplicationContext;

/**
 * {@code GET /v1/peering/{name}/events} (ours): the peering's audit trail, newest first, {@code ?limit=} events
 * a page (default 100, at most 500); {@code ?cursor=} takes the previous page's {@code NextCursor}. Needs
 * {@code peering:read}. 404 when the name has neither events nor a peering; 400 for a bad limit or cursor.
 */
public class PeeringEventsFunction extends ConsulHttpFunction {

    public PeeringEventsFunction() {
        super();
    }

    public PeeringEventsFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    protected APIGatewayV2HTTPResponse handle(ApiRequest request) {
        int limit = request.query("limit").filter(l -> !l.isEmpty()).map(PeeringEventsFunction::limit)
                .orElse(AuditTrail.DEFAULT_LIMIT);
        var page = bean(AuditTrail.class).page(request.peeringKey("read events of"), limit,
                request.query("cursor").orElse(null));
        return ApiResponses.json(EventPage.of(page), request.pretty());
    }

    private static int limit(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidRequest("limit: must be a whole number, not \"" + text + "\"");
        }
    }
}
