package io.clusterpeering.domain;

/**
 * The root of every failure the domain reports to a caller. Each subclass stands for one kind of answer;
 * {@code io.clusterpeering.http.ErrorResponses} maps each to one HTTP status in one place. Messages are
 * short, human, and safe to return: they never carry a secret, a token or a stack trace.
 */
public abstract class PeeringException extends RuntimeException {
    protected PeeringException(String message) {
        super(message, null, false, false);
    }

    protected PeeringException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    /** Bad input: a missing or malformed field, named in the message. HTTP 400. */
    public static final class InvalidRequest extends PeeringException {
        public InvalidRequest(String message) {
            super(message);
        }
    }

    /** The peering token is malformed, tampered with, expired or unsigned. HTTP 400. */
    public static final class InvalidPeeringToken extends PeeringException {
        private final String reason;

        public InvalidPeeringToken(String reason) {
            super("PeeringToken is invalid: " + reason);
            this.reason = reason;
        }

        /** What is wrong, without the field prefix (for signed objects that are not tokens). */
        public String reason() {
            return reason;
        }
    }

    /** No peering under that name (Consul: {@code Peering not found for "<name>"}). HTTP 404. */
    public static final class PeeringNotFound extends PeeringException {
        public PeeringNotFound(String name) {
            super("Peering not found for \"" + name + "\"");
        }
    }

    /** No config entry of that kind and name (Consul: {@code Config entry not found for "<kind>" / "<name>"}). HTTP 404. */
    public static final class ConfigEntryNotFound extends PeeringException {
        public ConfigEntryNotFound(String kind, String name) {
            super("Config entry not found for \"" + kind + "\" / \"" + name + "\"");
        }
    }

    /**
     * The establishment secret was already used, or a newer token replaced it. HTTP 403, with Consul's text
     * {@code a new peering token must be generated}.
     */
    public static final class EstablishmentSecretRejected extends PeeringException {
        public EstablishmentSecretRejected(String detail) {
            super("a new peering token must be generated: " + detail);
        }
    }

    /** A message from a peer failed authentication (bad signature, unknown peering). HTTP 403. */
    public static final class PeerNotAuthenticated extends PeeringException {
        public PeerNotAuthenticated(String detail) {
            super("Permission denied: " + detail);
        }
    }

    /**
     * The request conflicts with the peering's current state: the name belongs to the other role, or the
     * peering is being deleted. HTTP 409.
     */
    public static final class PeeringConflict extends PeeringException {
        public PeeringConflict(String message) {
            super(message);
        }
    }

    /** The peer could not be reached or answered with an error; the message names the address. HTTP 502. */
    public static final class PeerUnreachable extends PeeringException {
        public PeerUnreachable(String message) {
            super(message);
        }
    }

    /**
     * The request's ACL token is unknown, expired or deleted (Consul: {@code ACL not found}, or before bootstrap
     * {@code ACL system must be bootstrapped before making any requests that require authorization: ACL not found}).
     * HTTP 403.
     */
    public static final class AclNotFound extends PeeringException {
        public AclNotFound(String message) {
            super(message);
        }
    }

    /**
     * The caller's token lacks a permission, or an ACL operation is refused, with Consul's exact text
     * ({@code Permission denied: token with AccessorID '…' lacks permission 'peering:write'}). HTTP 403.
     */
    public static final class PermissionDenied extends PeeringException {
        public PermissionDenied(String message) {
            super(message);
        }
    }

    /** An {@code /v1/acl/*} route was called while ACLs are off (Consul: {@code ACL support disabled}). HTTP 401. */
    public static final class AclDisabled extends PeeringException {
        public AclDisabled() {
            super("ACL support disabled");
        }
    }

    /**
     * A token or policy named by the request does not exist (Consul 1.15+: {@code Requested token does not exist:
     * ACL not found}); the text keeps {@code ACL not found}, which the Terraform provider looks for. HTTP 404.
     */
    public static final class AclEntityNotFound extends PeeringException {
        public AclEntityNotFound(String message) {
            super(message);
        }
    }
}
