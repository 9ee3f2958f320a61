package io.clusterpeering.http;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.domain.PeeringException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * The one mapping from failures to HTTP answers. Domain exceptions carry a safe message and become:
 * invalid input or token 400, ACLs off on an ACL route 401, refused peering token, unknown ACL token, denied
 * permission or unauthenticated peer 403, missing peering, config entry, ACL token or policy 404, state conflict
 * 409, unreachable peer 502. Anything else is a 500 whose body names only the request ID; its stack trace goes
 * to the log, never to the caller.
 */
public final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);

    private ErrorResponses() {
    }

    /** The HTTP status for a domain exception. */
    public static int statusOf(PeeringException e) {
        if (e instanceof PeeringException.InvalidRequest || e instanceof PeeringException.InvalidPeeringToken) {
            return 400;
        }
        if (e instanceof PeeringException.EstablishmentSecretRejected || e instanceof PeeringException.PeerNotAuthenticated
                || e instanceof PeeringException.AclNotFound || e instanceof PeeringException.PermissionDenied) {
            return 403;
        }
        if (e instanceof PeeringException.AclDisabled) {
            return 401;
        }
        if (e instanceof PeeringException.PeeringNotFound || e instanceof PeeringException.ConfigEntryNotFound
                || e instanceof PeeringException.AclEntityNotFound) {
            return 404;
        }
        if (e instanceof PeeringException.PeeringConflict) {
            return 409;
        }
        if (e instanceof PeeringException.PeerUnreachable) {
            return 502;
        }
        return 500;
    }

    /** The answer for any failure of a request. */
    public static APIGatewayV2HTTPResponse of(Throwable failure, String requestId) {
        if (failure instanceof PeeringException domain) {
            int status = statusOf(domain);
            if (status >= 500) {
                LOG.warn("request {} failed: {}", requestId, domain.getMessage());
            }
            return ApiResponses.text(status, domain.getMessage(), Map.of());
        }
        LOG.error("request {} failed unexpectedly", requestId, failure);
        return ApiResponses.text(500, "Internal error; see the server log for request " + requestId, Map.of());
    }
}
