package io.clusterpeering.acl;

import java.util.Objects;

/**
 * One permission a request needs: a resource, the name it is about (null for unlabelled resources such as
 * {@code peering}), and the level asked for ({@code read}, {@code list} or {@code write}).
 *
 * <p>{@link #text()} is the tail of Consul's denial text ({@code acl.PermissionDeniedError}), e.g.
 * {@code peering:write} or {@code service:read on "web"}.
 *
 * @param resource what is accessed
 * @param name     the service, node, key, ... name; null for unlabelled resources; may be empty for labelled ones
 * @param level    the level asked for; never {@link AccessLevel#DENY}; {@link AccessLevel#LIST} only for {@code key}
 */
public record Permission(Resource resource, String name, AccessLevel level) {

    /**
     * Text for a refused {@link Authorizer#serviceReadAll()}: Consul names aggregate checks with a pseudo-name
     * ({@code service:read on "all services"}). Only for {@link Denials}; {@link Authorizer#allowed} would look
     * the words up as a service name.
     */
    public static final Permission ALL_SERVICES_READ = new Permission(Resource.SERVICE, "all services", AccessLevel.READ);
    /** Text for a refused {@link Authorizer#nodeReadAll()} ({@code node:read on "all nodes"}); see {@link #ALL_SERVICES_READ}. */
    public static final Permission ALL_NODES_READ = new Permission(Resource.NODE, "all nodes", AccessLevel.READ);
    /** Text for a refused {@link Authorizer#serviceWriteAny()} ({@code service:write on "any service"}); see {@link #ALL_SERVICES_READ}. */
    public static final Permission ANY_SERVICE_WRITE = new Permission(Resource.SERVICE, "any service", AccessLevel.WRITE);

    /**
     * Checks the shape.
     *
     * @throws NullPointerException     when resource or level is null, or name is null for a labelled resource
     * @throws IllegalArgumentException when level is deny, list is asked of anything but {@code key}, or a name is
     *                                  given for an unlabelled resource
     */
    public Permission {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(level, "level");
        if (level == AccessLevel.DENY) {
            throw new IllegalArgumentException("a check asks for read, list or write, never deny");
        }
        if (level == AccessLevel.LIST && !resource.allowsList()) {
            throw new IllegalArgumentException("the list level exists only for key, not " + resource.word());
        }
        if (resource.labelled()) {
            Objects.requireNonNull(name, () -> resource.word() + " permissions need a name");
        } else if (name != null) {
            throw new IllegalArgumentException(resource.word() + " permissions take no name");
        }
    }

    /** An unlabelled permission such as {@code peering:write}. */
    public static Permission of(Resource resource, AccessLevel level) {
        return new Permission(resource, null, level);
    }

    /** A named permission such as {@code service:read on "web"}. */
    public static Permission on(Resource resource, String name, AccessLevel level) {
        return new Permission(resource, name, level);
    }

    /**
     * {@code <resource>:<level>}, followed by {@code  on "<name>"} when the name is not empty; the name is quoted
     * with plain double quotes and not escaped, as Consul CE does.
     */
    public String text() {
        String base = resource.word() + ":" + level.word();
        return name == null || name.isEmpty() ? base : base + " on \"" + name + "\"";
    }
}
