package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.CfnStage;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpApiAttributes;
import software.amazon.awscdk.services.apigatewayv2.HttpRoute;
import software.amazon.awscdk.services.apigatewayv2.HttpRouteKey;
import software.amazon.awscdk.services.apigatewayv2.IHttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpMethod;
import software.amazon.awscdk.services.apigatewayv2.PayloadFormatVersion;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

import java.util.List;
import java.util.Map;

/**
 * An API Gateway HTTP API (payload format 2.0): one route per route of the table, {@code ANY /{proxy+}} to the
 * catch-all, the throttle on the {@code $default} stage, and an access log of every request (one JSON line each, no
 * header, so never a token) in a log group with one month's retention, as every function's log group. Its base URL
 * is the API's endpoint. The API, its stage and {@code $default} are in the cluster stack; each family's routes,
 * integrations and invoke permissions are in the family's nested stack, against the API imported by its ID.
 */
final class HttpApiFrontDoor implements ApiFrontDoor {
    /** One JSON line per request: who, which route, API Gateway's answer and the integration's error, no header. */
    static final String ACCESS_LOG_FORMAT = "{\"requestId\":\"$context.requestId\",\"ip\":\"$context.identity.sourceIp\","
            + "\"requestTime\":\"$context.requestTime\",\"httpMethod\":\"$context.httpMethod\","
            + "\"routeKey\":\"$context.routeKey\",\"path\":\"$context.path\",\"status\":\"$context.status\","
            + "\"protocol\":\"$context.protocol\",\"responseLength\":\"$context.responseLength\","
            + "\"integrationLatency\":\"$context.integrationLatency\",\"error\":\"$context.error.message\","
            + "\"integrationError\":\"$context.integrationErrorMessage\"}";

    private final HttpApi api;
    private final String baseUrl;

    HttpApiFrontDoor(Construct scope, String datacenter, ApiSettings settings) {
        api = HttpApi.Builder.create(scope, "Api")
                .apiName("cluster-peering-" + datacenter)
                .description("Consul-compatible cluster peering API of datacenter " + datacenter)
                .build();
        ((CfnStage) api.getDefaultStage().getNode().getDefaultChild()).setDefaultRouteSettings(
                CfnStage.RouteSettingsProperty.builder()
                        .throttlingRateLimit(settings.throttleRatePerSecond())
                        .throttlingBurstLimit(settings.throttleBurst())
                        .build());
        // Access logs (cdk-nag AwsSolutions-APIG1): what API Gateway answered itself (429s, routing) shows nowhere else.
        LogGroup accessLogs = LogGroup.Builder.create(scope, "ApiAccessLogs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
        ((CfnStage) api.getDefaultStage().getNode().getDefaultChild()).setAccessLogSettings(
                CfnStage.AccessLogSettingsProperty.builder()
                        .destinationArn(accessLogs.getLogGroupArn())
                        .format(ACCESS_LOG_FORMAT)
                        .build());
        baseUrl = settings.onLocalStack()
                ? Fn.join("", List.of("http://", api.getApiId(), ".execute-api.localhost.localstack.cloud:4566"))
                : api.getApiEndpoint();
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public String apiId() {
        return api.getApiId();
    }

    @Override
    public void connectUnrouted(IFunction unrouted) {
        // $default: Consul's 404 and 405 answers for whatever no route takes.
        api.addRoutes(AddRoutesOptions.builder()
                .path("/{proxy+}")
                .methods(List.of(HttpMethod.ANY))
                .integration(HttpLambdaIntegration.Builder.create("Unrouted", unrouted)
                        .payloadFormatVersion(PayloadFormatVersion.VERSION_2_0).build())
                .build());
    }

    /**
     * The routes as {@link HttpApi#addRoutes} would make them (same construct IDs below an {@code Api}, so the same
     * logical IDs), on the API imported into {@code scope} by its ID: one route, integration and invoke permission
     * (scoped to the route's path) each.
     */
    @Override
    public void connect(Construct scope, Map<Routes.Route, IFunction> routes) {
        Construct routesScope = new Construct(scope, "Api");
        IHttpApi imported = HttpApi.fromHttpApiAttributes(routesScope, "Imported",
                HttpApiAttributes.builder().httpApiId(api.getApiId()).build());
        routes.forEach((route, function) -> HttpRoute.Builder.create(routesScope, route.method() + route.path())
                .httpApi(imported)
                .routeKey(HttpRouteKey.with(route.path(), HttpMethod.valueOf(route.method())))
                .integration(HttpLambdaIntegration.Builder.create(route.handler().getSimpleName(), function)
                        .payloadFormatVersion(PayloadFormatVersion.VERSION_2_0).build())
                .build());
    }
}
