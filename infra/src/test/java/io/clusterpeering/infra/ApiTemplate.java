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
 * function, and which S3 object each method of the REST variant's Peers page reads. Paths on the REST API are
 * written as clients call them: the stage first ({@code /v1/peering/{name}}).
 */
final class ApiTemplate {
    /** What {@link #restRoutes} gives a method whose integration reads S3 (the Peers page), before the object's path. */
    static final String S3_OBJECT = "s3:";

    private ApiTemplate() {
    }

    /**
     * Whether a REST method key ({@code "GET /v1/ui/{proxy+}"}) is one of the Peers page's, which the REST API serves
     * at {@code /v1/ui} and below: not Consul's API, so in neither the route table nor the OpenAPI document.
     */
    static boolean isPeersPage(String methodAndPath) {
        String path = methodAndPath.substring(methodAndPath.indexOf(' ') + 1);
        return path.equals("/" + RestApiFrontDoor.STAGE + "/ui") || path.startsWith(RestApiFrontDoor.PAGE_BASE_PATH);
    }

    /**
     * REST API: {@code "METHOD /v1/..."} to the handler it integrates with, for every method but {@code ANY}; a
     * method reading S3 maps to {@value #S3_OBJECT} and the object's path ({@code s3:${UiBucket}/ui/index.html}).
     */
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
        httpRouteFunctions(resources).forEach((key, function) -> routes.put(key, handlerOfFunction(function, resources)));
        return routes;
    }

    /**
     * HTTP API: each route key ({@code "GET /v1/peerings"}, {@code "ANY /{proxy+}"}) to the logical ID of the
     * function its integration reaches (through the {@code live} alias).
     */
    static Map<String, String> httpRouteFunctions(Map<String, Map<String, Object>> resources) {
        Map<String, String> routes = new TreeMap<>();
        resources.values().stream().filter(r -> "AWS::ApiGatewayV2::Route".equals(r.get("Type"))).forEach(route -> {
            Map<String, Object> p = properties(route);
            Object target = p.get("Target");
            String integrationId = refs(target).stream().filter(resources::containsKey).findFirst().orElseThrow();
            routes.put(p.get("RouteKey").toString(), functionOf(properties(resources.get(integrationId)).get("IntegrationUri"),
                    resources).orElseThrow());
        });
        return routes;
    }

    /**
     * REST API: {@code "METHOD /v1/..."} (every method, {@code ANY} included) to the logical ID of the function its
     * Lambda proxy integration reaches; methods reading S3 (the Peers page) are left out.
     */
    static Map<String, String> restRouteFunctions(Map<String, Map<String, Object>> resources) {
        Map<String, String> routes = new TreeMap<>();
        String stage = stage(resources);
        resources.values().stream().filter(r -> "AWS::ApiGateway::Method".equals(r.get("Type"))).forEach(method -> {
            Map<String, Object> p = properties(method);
            @SuppressWarnings("unchecked")
            Map<String, Object> integration = (Map<String, Object>) p.get("Integration");
            if (!"AWS".equals(integration.get("Type"))) {
                routes.put(p.get("HttpMethod") + " /" + stage + path(p.get("ResourceId"), resources),
                        functionOf(integration.get("Uri"), resources).orElseThrow());
            }
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
            Map<String, Object> integration = (Map<String, Object>) p.get("Integration");
            Object uri = integration.get("Uri");
            String key = p.get("HttpMethod") + " " + path;
            String target = "AWS".equals(integration.get("Type")) ? S3_OBJECT + s3Path(uri)
                    : handlerOf(uri, resources).orElseThrow();
            if (methods.put(key, target) != null) {
                throw new AssertionError("two methods for " + key);
            }
        });
        return methods;
    }

    @SuppressWarnings("unchecked")
    static String stage(Map<String, Map<String, Object>> resources) {
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

    /**
     * The object path of an S3 integration URI ({@code arn:...:s3:path/<bucket>/<key>}), with each reference
     * written {@code ${LogicalId}}.
     *
     * @throws AssertionError when the URI is not an S3 path integration's
     */
    private static String s3Path(Object uri) {
        String text = render(uri);
        int at = text.indexOf(":s3:path/");
        if (at < 0) {
            throw new AssertionError("not an S3 path integration: " + text);
        }
        return text.substring(at + ":s3:path/".length());
    }

    /** A CloudFormation string value as text: Fn::Join joined, each Ref written ${LogicalId}. */
    private static String render(Object value) {
        if (value instanceof Map<?, ?> map && map.get("Fn::Join") instanceof List<?> join) {
            StringBuilder text = new StringBuilder();
            for (Object part : (List<?>) join.get(1)) {
                text.append(render(part));
            }
            return text.toString();
        }
        if (value instanceof Map<?, ?> map && map.containsKey("Ref")) {
            return "${" + map.get("Ref") + "}";
        }
        return String.valueOf(value);
    }

    /** The handler class of the function whose alias an integration URI names. */
    private static Optional<String> handlerOf(Object uri, Map<String, Map<String, Object>> resources) {
        return functionOf(uri, resources).map(function -> handlerOfFunction(function, resources));
    }

    private static String handlerOfFunction(String function, Map<String, Map<String, Object>> resources) {
        return properties(resources.get(function)).get("Handler").toString();
    }

    /** The logical ID of the function whose alias an integration URI (or an event source mapping) names. */
    static Optional<String> functionOf(Object uri, Map<String, Map<String, Object>> resources) {
        return refs(uri).stream()
                .map(resources::get)
                .filter(r -> r != null && "AWS::Lambda::Alias".equals(r.get("Type")))
                .map(alias -> refs(properties(alias).get("FunctionName")).get(0))
                .findFirst();
    }

    /** Every {@code Ref} and {@code Fn::GetAtt} target inside a CloudFormation value. */
    static List<String> refs(Object value) {
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
