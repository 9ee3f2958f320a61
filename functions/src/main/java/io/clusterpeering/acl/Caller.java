package io.clusterpeering.acl;

import io.clusterpeering.domain.PeeringException.PermissionDenied;

/**
 * Who is calling, as resolved from the request's ACL token once per request: the token's AccessorID and the
 * authorizer built from its policies and the default policy. Handlers and services ask it for permissions;
 * denials carry Consul's exact text from {@link Denials}.
 *
 * @param accessorId  the token's AccessorID; Consul's anonymous AccessorID when the request had no token, or
 *                    when ACLs are off
 * @param secretHash  SHA-256 of the presented SecretID (hex), or null when no token was resolved; lets the ACL
 *                    API refuse the deletion of the request's own token
 * @param authorizer  decides every permission
 */
public record Caller(String accessorId, String secretHash, Authorizer authorizer) {
    /** The AccessorID of Consul's anonymous token. */
    public static final String ANONYMOUS_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002";

    /** The caller when ACLs are off: anonymous, and allowed everything. */
    public static Caller unrestricted() {
        return new Caller(ANONYMOUS_ACCESSOR_ID, null, Authorizer.allowAll());
    }

    /** Whether this is the anonymous token (no token on the request). */
    public boolean anonymous() {
        return ANONYMOUS_ACCESSOR_ID.equals(accessorId);
    }

    /** Whether the permission is granted. */
    public boolean can(Permission permission) {
        return authorizer.allowed(permission);
    }

    /** Whether {@code <resource>:<level>} is granted on the named resource (null for unnamed ones). */
    public boolean can(Resource resource, String name, AccessLevel level) {
        return authorizer.allowed(new Permission(resource, name, level));
    }

    /**
     * Requires a permission.
     *
     * @throws PermissionDenied with Consul's text naming the token and the permission when it is not granted
     */
    public void require(Permission permission) {
        if (!authorizer.allowed(permission)) {
            throw new PermissionDenied(Denials.permissionDenied(accessorId, permission));
        }
    }

    /** Requires {@code <resource>:<level>} on the named resource (null for unnamed ones). */
    public void require(Resource resource, String name, AccessLevel level) {
        require(new Permission(resource, name, level));
    }
}
