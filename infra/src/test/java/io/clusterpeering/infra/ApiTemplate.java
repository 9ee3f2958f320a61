package io.clusterpeering.infra;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the API of a synthesized cluster template, by logical ID: which function (handler class) each route and
 * each catch-all method reaches, following integration URIs to the {@code live} alias and the alias to its
 * function. Paths on the REST API are written as clients call them: the stage first ({@code /v1/peering/{name}}).
 */
final class ApiTemplate {
    private ApiTemplate() {
    }

    /** REST API: {@code "METHOD /v1/..."} to the handler it integrates with, for every method but {@code ANY}. */
    static Map<String, String> restRoutes(Map<String, Map<String, Object>> resources) {
        Map<String, String> routes = new TreeMap<>();
        restMethods(resources).forEach((key, handler) -> {
            if (!key.startsWith("ANY ")) {
                routes.put(key, handler);
            }
        });
        return routes;
    }

    /** REST API: each path that has an {@code ANY} method to the handler it integrates with. */
    static Map<String, String> restAnyMethods(Map<String, Map<String, Object>> resources) {
        Map<String, String> any = new TreeMap<>();
        restMethods(resources).forEach((key, handler) -> {
            if (key.startsWith("ANY ")) {
                any.put(key.substring(4), handler);
            }
        });
        return any;
    }

    /** REST API: the path of every resource, the root ({@code /v1}) included. */
    static Set<String> restResourcePaths(Map<String, Map<String, Object>> resources) {
        Set<String> paths = new TreeSet<>();
        paths.add("/" + stage(resources));
        resources.forEach((id, resource) -> {
            if ("AWS::ApiGateway::Resource".equals(resource.get("Type"))) {
                paths.add("/" + stage(resources) + path(Map.of("Ref", id), resources));
            }
        });
        return paths;
    }

    /** HTTP API: each route key ({@code "GET /v1/peerings"}) to the handler its integration reaches. */
    static Map<String, String> httpRoutes(Map<String, Map<String, Object>> resources) {
        Map<String, String> routes = new TreeMap<>();
        resources.values().stream().filter(r -> "AWS::ApiGatewayV2::Route".equals(r.get("Type"))).forEach(route -> {
            Map<String, Object> p = properties(route);
            Object target = p.get("Target");
            String integrationId = refs(target).stream().filter(resources::containsKey).findFirst().orElseThrow();
            routes.put(p.get("RouteKey").toString(), handlerOf(properties(resources.get(integrationId)).get("IntegrationUri"),
                    resources).orElseThrow());
        });
        return routes;
    }

    private static Map<String, String> restMethods(Map<String, Map<String, Object>> resources) {
        Map<String, String> methods = new HashMap<>();
        String stage = stage(resources);
        resources.values().stream().filter(r -> "AWS::ApiGateway::Method".equals(r.get("Type"))).forEach(method -> {
            Map<String, Object> p = properties(method);
            String path = "/" + stage + path(p.get("ResourceId"), resources);
            @SuppressWarnings("unchecked")
            Object uri = ((Map<String, Object>) p.get("Integration")).get("Uri");
            String key = p.get("HttpMethod") + " " + path;
            if (methods.put(key, handlerOf(uri, resources).orElseThrow()) != null) {
                throw new AssertionError("two methods for " + key);
            }
        });
        return methods;
    }

    @SuppressWarnings("unchecked")
    private static String stage(Map<String, Map<String, Object>> resources) {
        List<String> stages = resources.values().stream().filter(r -> "AWS::ApiGateway::Stage".equals(r.get("Type")))
                .map(r -> properties(r).get("StageName").toString()).toList();
        if (stages.size() != 1) {
            throw new AssertionError("one stage expected: " + stages);
        }
        return stages.get(0);
    }

    /** A resource's path below the stage: {@code ""} for the root ({@code Fn::GetAtt RootResourceId}). */
    @SuppressWarnings("unchecked")
    private static String path(Object resourceId, Map<String, Map<String, Object>> resources) {
        if (resourceId instanceof Map<?, ?> ref && ref.containsKey("Ref")) {
            Map<String, Object> resource = properties(resources.get(ref.get("Ref").toString()));
            return path(resource.get("ParentId"), resources) + "/" + resource.get("PathPart");
        }
        return "";
    }

    /** The handler class of the function whose alias an integration URI names. */
    private static Optional<String> handlerOf(Object uri, Map<String, Map<String, Object>> resources) {
        return refs(uri).stream()
                .map(resources::get)
                .filter(r -> r != null && "AWS::Lambda::Alias".equals(r.get("Type")))
                .map(alias -> refs(properties(alias).get("FunctionName")).get(0))
                .map(function -> properties(resources.get(function)).get("Handler").toString())
                .findFirst();
    }

    /** Every {@code Ref} and {@code Fn::GetAtt} target inside a CloudFormation value. */
    private static List<String> refs(Object value) {
        List<String> found = new java.util.ArrayList<>();
        collect(value, found);
        return found;
    }

    private static void collect(Object value, List<String> found) {
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, inner) -> {
                if ("Ref".equals(key)) {
                    found.add(inner.toString());
                } else if ("Fn::GetAtt".equals(key) && inner instanceof List<?> list) {
                    found.add(list.get(0).toString());
                } else {
                    collect(inner, found);
                }
            });
        } else if (value instanceof List<?> list) {
            list.forEach(inner -> collect(inner, found));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }
}
