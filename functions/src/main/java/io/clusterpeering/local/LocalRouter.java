package io.clusterpeering.local;

import io.clusterpeering.function.ConsulHttpFunction;
import io.clusterpeering.function.Routes;
import io.micronaut.context.ApplicationContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Matches a method and path against {@link Routes#ALL} as API Gateway would, and holds one function instance
 * per route over the shared application context. A path template segment {@code {name}} matches one segment,
 * also an empty one (so {@code GET /v1/peering/} reaches the handler's "Must specify a name" answer).
 */
public final class LocalRouter {
    private final Map<Routes.Route, ConsulHttpFunction> functions = new LinkedHashMap<>();

    public LocalRouter(ApplicationContext context) {
        Routes.ALL.forEach(route -> functions.put(route, route.factory().apply(context)));
    }

    /** The function and path parameters for a request, if a route has this method and path. */
    public Optional<Match> match(String method, String path) {
        for (Map.Entry<Routes.Route, ConsulHttpFunction> entry : functions.entrySet()) {
            if (entry.getKey().method().equals(method)) {
                Map<String, String> parameters = matchPath(entry.getKey().path(), path);
                if (parameters != null) {
                    return Optional.of(new Match(entry.getValue(), parameters));
                }
            }
        }
        return Optional.empty();
    }

    /** The methods that routes with this path accept, for a 405's {@code Allow} header; empty for an unknown path. */
    public List<String> allowedMethods(String path) {
        List<String> methods = new ArrayList<>();
        for (Routes.Route route : functions.keySet()) {
            if (matchPath(route.path(), path) != null) {
                methods.add(route.method());
            }
        }
        return methods;
    }

    private static Map<String, String> matchPath(String template, String path) {
        String[] expected = template.split("/", -1);
        String[] actual = path.split("/", -1);
        if (expected.length != actual.length) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < expected.length; i++) {
            if (expected[i].startsWith("{") && expected[i].endsWith("}")) {
                parameters.put(expected[i].substring(1, expected[i].length() - 1),
                        URLDecoder.decode(actual[i], StandardCharsets.UTF_8));
            } else if (!expected[i].equals(actual[i])) {
                return null;
            }
        }
        return parameters;
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
