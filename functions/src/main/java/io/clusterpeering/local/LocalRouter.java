package io.clusterpeering.local;

import io.clusterpeering.function.ConsulHttpFunction;
import io.clusterpeering.function.Routes;
import io.micronaut.context.ApplicationContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Holds one function instance per route of {@link Routes#ALL} over the shared context, and finds the one for a request. */
public final class LocalRouter {
    private final Map<Routes.Route, ConsulHttpFunction> functions = new LinkedHashMap<>();

    public LocalRouter(ApplicationContext context) {
        Routes.ALL.forEach(route -> functions.put(route, route.factory().apply(context)));
    }

    /** The function and path parameters for a request, if a route has this method and path. */
    public Optional<Match> match(String method, String path) {
        return Routes.match(method, path).map(m -> new Match(functions.get(m.route()), m.pathParameters()));
    }

    /**
     * A matched route.
     *
     * @param function       the function that answers it
     * @param pathParameters the values of the template's parameters
     */
    public record Match(ConsulHttpFunction function, Map<String, String> pathParameters) {
    }
}
