package io.clusterpeering.acl;

import java.util.Objects;

/**
 * The one formatter of ACL denial texts, word for word as Consul's {@code acl.PermissionDeniedError} writes them.
 * Consul answers them with HTTP 403 as plain text; clients match them by substring ({@code Permission denied}).
 */
public final class Denials {
    /** The AccessorID of Consul's anonymous token, used for requests without a token. */
    public static final String ANONYMOUS_ACCESSOR_ID = "00000000-0000-0000-0000-000000000002";
    /** The bare denial, as older Consul paths (and a catalog overwrite of another service's ID) answer. */
    public static final String PERMISSION_DENIED = "Permission denied";

    private static final String ANONYMOUS_SUFFIX =
            ". The anonymous token is used implicitly when a request does not specify a token.";

    private Denials() {
    }

    /**
     * The denial of {@code permission} to the token {@code accessorId}:
     * {@code Permission denied: token with AccessorID '<id>' lacks permission 'peering:write'}, or with
     * {@code  on "<name>"} for a named permission. For the anonymous token
     * ({@value #ANONYMOUS_ACCESSOR_ID}): {@code Permission denied: anonymous token lacks permission '...'} followed
     * by {@code . The anonymous token is used implicitly when a request does not specify a token.}
     *
     * @param accessorId the refused token's AccessorID (never its SecretID)
     * @param permission the permission that was refused, as the check asked for it (e.g. {@code peering:write},
     *                   even when the decision fell back to {@code operator})
     */
    public static String permissionDenied(String accessorId, Permission permission) {
        Objects.requireNonNull(permission, "permission");
        boolean anonymous = ANONYMOUS_ACCESSOR_ID.equals(accessorId);
        String who = anonymous ? "anonymous token" : "token with AccessorID '" + (accessorId == null ? "" : accessorId) + "'";
        String text = PERMISSION_DENIED + ": " + who + " lacks permission '" + permission.resource().word() + ":"
                + permission.level().word() + "'";
        String name = permission.name();
        if (name != null && !name.isEmpty()) {
            text += " on \"" + name + "\"";
        }
        return anonymous ? text + ANONYMOUS_SUFFIX : text;
    }

    /**
     * A denial with a cause instead of a permission: {@code Permission denied: <cause>}, e.g. the bootstrap refusal
     * {@code Permission denied: ACL bootstrap no longer allowed (reset index: 46)}.
     */
    public static String permissionDenied(String cause) {
        Objects.requireNonNull(cause, "cause");
        return PERMISSION_DENIED + ": " + cause;
    }
}
