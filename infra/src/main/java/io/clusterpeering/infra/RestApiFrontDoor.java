package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.IResource;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.lambda.IFunction;
import software.constructs.Construct;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An API Gateway REST API (Lambda proxy integrations, payload format 1.0), which LocalStack's free plan serves.
 *
 * <p>Its one stage is named {@value #STAGE}, the first segment of every Consul path, and its resources are the
 * rest of each path ({@code /v1/peering/{name}} is stage {@code v1}, resource {@code /peering/{name}}). So the
 * base URL is the bare API host, exactly like an HTTP API's: a client appends Consul's paths as they are, and
 * the host and port that go into a peering token reach the API, which they would not if the stage were a path
 * prefix of its own (tokens carry {@code host:port} only, as Consul's do, and Consul's CLI and Go client take
 * no path prefix either).
 *
 * <p>Every route's method goes to its route's function. Every resource also has {@code ANY} to the catch-all, as
 * do the root and a root {@code /{proxy+}}: a REST API answers a known path with an unknown method itself (403
 * "Missing Authentication Token") unless the resource has a method for it, so this is how Consul's 405 and 404
 * come back. The throttle is the stage's default method setting, which covers every caller; a usage plan would
 * throttle only callers presenting an API key, which Consul's clients do not send.
 */
final class RestApiFrontDoor implements ApiFrontDoor {
    /** The stage: the first segment of every Consul path. */
    static final String STAGE = "v1";

    private final RestApi api;
    private final String baseUrl;

    RestApiFrontDoor(Construct scope, String datacenter, ApiSettings settings) {
        api = RestApi.Builder.create(scope, "Api")
                .restApiName("cluster-peering-" + datacenter)
                .description("Consul-compatible cluster peering API of datacenter " + datacenter)
                .endpointTypes(List.of(EndpointType.REGIONAL))
                // No account-wide CloudWatch role: it is a singleton per account and region, not this cluster's.
                .cloudWatchRole(false)
                .deployOptions(StageOptions.builder()
                        .stageName(STAGE)
                        .throttlingRateLimit(settings.throttleRatePerSecond())
                        .throttlingBurstLimit(settings.throttleBurst())
                        .build())
                .build();
        baseUrl = settings.onLocalStack()
                ? Fn.join("", List.of("http://", api.getRestApiId(), ".execute-api.localhost.localstack.cloud:4566"))
                : Fn.join("", List.of("https://", api.getRestApiId(), ".execute-api.", Aws.REGION, ".", Aws.URL_SUFFIX));
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public String apiId() {
        return api.getRestApiId();
    }

    @Override
    public void connect(Map<Routes.Route, IFunction> routes, IFunction unrouted) {
        // One catch-all integration whose permission covers the whole API, instead of one per method.
        LambdaIntegration catchAll = LambdaIntegration.Builder.create(unrouted)
                .proxy(true).scopePermissionToMethod(false).build();
        Map<String, IResource> resources = new LinkedHashMap<>();
        resources.put("", api.getRoot());
        routes.forEach((route, function) -> {
            String path = resourcePath(route);
            String[] segments = path.substring(1).split("/");
            StringBuilder prefix = new StringBuilder();
            for (String segment : segments) {
                prefix.append('/').append(segment);
                resources.computeIfAbsent(prefix.toString(), p -> api.getRoot().resourceForPath(p));
            }
            resources.get(path).addMethod(route.method(), LambdaIntegration.Builder.create(function)
                    .proxy(true).allowTestInvoke(false).build());
        });
        resources.values().forEach(resource -> resource.addMethod("ANY", catchAll));
        api.getRoot().addResource("{proxy+}").addMethod("ANY", catchAll);
    }

    /**
     * A route's resource path: its Consul path without the stage segment.
     *
     * @throws IllegalStateException when the route is not under {@code /v1/}, which this API cannot serve
     */
    static String resourcePath(Routes.Route route) {
        String prefix = "/" + STAGE + "/";
        if (!route.path().startsWith(prefix)) {
            throw new IllegalStateException("the REST API serves Consul's paths under " + prefix + " only, not "
                    + route.method() + " " + route.path());
        }
        return route.path().substring(STAGE.length() + 1);
    }
}
