package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The families the routes of {@link Routes#ALL} are grouped in, each deployed as a nested stack of its own
 * ({@link RouteFamilyStack}) with its routes' functions and API wiring. A family owns whole top-level path segments
 * (the segment after {@code /v1/}), so that on the REST API no resource is shared between two families' stacks.
 *
 * <p>Why families and not one stack: a route costs some 8 resources (function, role, log group, version, alias, an
 * invoke permission, a route or a method and, on the REST API, a resource and its {@code ANY}), and CloudFormation
 * refuses a template of more than 500. Each family stays far below that ({@code StackSizeTest} holds every template
 * to {@link #MAX_RESOURCES_PER_TEMPLATE}); when one grows too large, move segments to a new family.
 */
enum RouteFamily {
    /** Peerings, their tokens and the peer-to-peer protocol, and what peers export and import. */
    PEERING("Peering", Set.of("peering", "peerings", "internal", "exported-services", "imported-services")),
    /** Consul's ACL system: tokens, policies and the bootstrap. */
    ACL("Acl", Set.of("acl")),
    /** Services: catalog, health and config entries. */
    SERVICES("Services", Set.of("catalog", "health", "config")),
    /** Connect (CA roots, leaves, intention decisions) and the agent's and the cluster's status. */
    CONNECT("Connect", Set.of("connect", "agent", "status"));

    /** What any template (the cluster stack or a family's) may hold: 50 below CloudFormation's 500, for growth. */
    static final int MAX_RESOURCES_PER_TEMPLATE = 450;

    private final String id;
    private final Set<String> segments;

    RouteFamily(String id, Set<String> segments) {
        this.id = id;
        this.segments = segments;
    }

    /** The family's name in construct IDs: its nested stack is {@code <id>Routes}. */
    String id() {
        return id;
    }

    /**
     * The family of a route: the one owning its path's top-level segment ({@code /v1/<segment>/...}).
     *
     * @throws IllegalStateException when no family owns the segment: add it to one (or to a new family)
     */
    static RouteFamily of(Routes.Route route) {
        String[] parts = route.path().split("/", 4);
        String segment = parts.length > 2 ? parts[2] : "";
        for (RouteFamily family : values()) {
            if (family.segments.contains(segment)) {
                return family;
            }
        }
        throw new IllegalStateException("no route family owns /v1/" + segment + " (" + route.method() + " "
                + route.path() + "): add the segment to one in RouteFamily");
    }

    /** The routes of each family that has any, in family order, each family's in the order given. */
    static Map<RouteFamily, List<Routes.Route>> group(List<Routes.Route> routes) {
        Map<RouteFamily, List<Routes.Route>> grouped = new EnumMap<>(RouteFamily.class);
        for (Routes.Route route : routes) {
            grouped.computeIfAbsent(of(route), family -> new java.util.ArrayList<>()).add(route);
        }
        return grouped;
    }
}
