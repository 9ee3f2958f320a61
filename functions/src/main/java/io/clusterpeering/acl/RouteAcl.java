package io.clusterpeering.acl;

/**
 * What a route of the HTTP API requires of the caller's ACL token, declared next to the route in the route
 * table so that the base handler, the deployment and the ACL matrix test read one list.
 * <ul>
 *   <li>{@link Kind#PERMISSION}: one permission on an unnamed resource ({@code peering:write}, {@code acl:read}),
 *       checked before any handler logic;</li>
 *   <li>{@link Kind#HANDLER}: the token is resolved before any handler logic (unknown → 403 {@code ACL not found})
 *       and the handler checks permissions on the named resources of the request (a service, a node, a config
 *       entry), after validating it, as Consul does, or filters what it lists;</li>
 *   <li>{@link Kind#NONE}: no token is resolved: {@code PUT /v1/acl/bootstrap}, {@code GET /v1/acl/token/self}
 *       (which resolves its own token and answers 404 for an unknown one), {@code GET /v1/status/leader} and
 *       {@code /v1/status/peers} (Consul's status endpoints check no permission) and the internal
 *       cluster-to-cluster routes, which are authenticated by their signatures, never by ACL tokens.</li>
 * </ul>
 *
 * @param kind       how the route is guarded
 * @param permission the permission, for {@link Kind#PERMISSION}; null otherwise
 * @param aclApi     whether the route is part of Consul's ACL API, which answers 401 {@code ACL support disabled}
 *                   while ACLs are off
 * @param note       for {@link Kind#HANDLER} and {@link Kind#NONE}: what is checked, and where
 */
public record RouteAcl(Kind kind, Permission permission, boolean aclApi, String note) {

    /** How a route is guarded. */
    public enum Kind { PERMISSION, HANDLER, NONE }

    /** The route needs {@code <resource>:<level>} on an unnamed resource. */
    public static RouteAcl requires(Resource resource, AccessLevel level) {
        return new RouteAcl(Kind.PERMISSION, new Permission(resource, null, level), resource == Resource.ACL, null);
    }

    /** The handler checks named permissions or filters; {@code note} says which. */
    public static RouteAcl decidedByHandler(String note) {
        return new RouteAcl(Kind.HANDLER, null, false, note);
    }

    /** No ACL token is resolved for this route; {@code note} says why. */
    public static RouteAcl none(String note) {
        return new RouteAcl(Kind.NONE, null, false, note);
    }

    /** An ACL API route that resolves no token before its handler ({@code bootstrap}, {@code token/self}). */
    public static RouteAcl aclApiWithoutToken(String note) {
        return new RouteAcl(Kind.NONE, null, true, note);
    }
}
