package io.clusterpeering.infra;

import io.clusterpeering.function.Routes;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.apigateway.AwsIntegration;
import software.amazon.awscdk.services.apigateway.EndpointType;
import software.amazon.awscdk.services.apigateway.IResource;
import software.amazon.awscdk.services.apigateway.IRestApi;
import software.amazon.awscdk.services.apigateway.Integration;
import software.amazon.awscdk.services.apigateway.IntegrationType;
import software.amazon.awscdk.services.apigateway.Method;
import software.amazon.awscdk.services.apigateway.IntegrationOptions;
import software.amazon.awscdk.services.apigateway.IntegrationResponse;
import software.amazon.awscdk.services.apigateway.LambdaIntegration;
import software.amazon.awscdk.services.apigateway.MethodOptions;
import software.amazon.awscdk.services.apigateway.MethodResponse;
import software.amazon.awscdk.services.apigateway.RestApi;
import software.amazon.awscdk.services.apigateway.RestApiAttributes;
import software.amazon.awscdk.services.apigateway.StageOptions;
import software.amazon.awscdk.services.iam.IRole;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Permission;
import software.amazon.awscdk.services.s3.IBucket;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.HashMap;
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
 *
 * <p>Where the resources go: the API, its stage and deployment, the root's methods, the root {@code /{proxy+}} and
 * the Peers page are in the cluster stack; each route family's resources ({@code /acl} and below, say), methods and
 * invoke permissions are in the family's nested stack, on the API imported by its ID and root resource ID (CDK's
 * "breaking up methods and resources across stacks"). The deployment depends on every family's stack, and its
 * logical ID takes in every family's routes, so a changed route table is deployed to the stage.
 */
final class RestApiFrontDoor implements ApiFrontDoor {
    /** The media types the API treats as binary: all of them ({@code *}{@code /*}), as API Gateway advises when clients' Accept headers vary. */
    static final List<String> BINARY_MEDIA_TYPES = List.of("*/*");
    /** The stage: the first segment of every Consul path. */
    static final String STAGE = "v1";
    /** Where the Peers page is served: below the stage, as every path of this API ({@code /v1/ui/}). */
    static final String PAGE_BASE_PATH = "/" + STAGE + "/ui/";
    /** The folders of the page ({@code ui/css/}, {@code ui/js/}) whose files are served as they are. */
    static final List<String> PAGE_FOLDERS = List.of("css", "js");
    /** The files at the top of the page, beside {@code index.html}, served as they are. */
    static final List<String> PAGE_FILES = List.of("favicon.svg");

    private final RestApi api;
    private final String baseUrl;
    private LambdaIntegration catchAll;
    private IFunction catchAllFunction;

    RestApiFrontDoor(Construct scope, String datacenter, ApiSettings settings) {
        api = RestApi.Builder.create(scope, "Api")
                .restApiName("cluster-peering-" + datacenter)
                .description("Consul-compatible cluster peering API of datacenter " + datacenter)
                .endpointTypes(List.of(EndpointType.REGIONAL))
                // Every media type is binary, so a function's base64 answer (a gzipped one: Content-Encoding: gzip)
                // goes out as its bytes whatever the client's Accept; request bodies then reach the functions in
                // base64, which they decode (ApiRequest). An HTTP API decodes isBase64Encoded answers by itself.
                .binaryMediaTypes(BINARY_MEDIA_TYPES)
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
    public void connectUnrouted(IFunction unrouted) {
        // One catch-all integration whose permission covers the whole API (every stage, method and path), instead of
        // one per method: the families' ANY methods reach the catch-all under this permission too.
        catchAll = LambdaIntegration.Builder.create(unrouted)
                .proxy(true).scopePermissionToMethod(false).build();
        catchAllFunction = unrouted;
        api.getRoot().addMethod("ANY", catchAll);
        api.getRoot().addResource("{proxy+}").addMethod("ANY", catchAll);
    }

    /**
     * In {@code scope}: every resource of the routes' paths (with {@code ANY} to the catch-all each), and each
     * route's method, a Lambda proxy integration of its function with an invoke permission for exactly that method
     * and path on stage {@value #STAGE} (what {@link LambdaIntegration} grants, written out because an imported API
     * has no stage to name). The routes of one call must not share a resource with another call's but the root.
     */
    @Override
    public void connect(Construct scope, Map<Routes.Route, IFunction> routes) {
        if (catchAllFunction == null) {
            throw new IllegalStateException("connect the catch-all before the routes");
        }
        IRestApi imported = RestApi.fromRestApiAttributes(scope, "Api", RestApiAttributes.builder()
                .restApiId(api.getRestApiId()).rootResourceId(api.getRestApiRootResourceId()).build());
        Map<String, IResource> resources = new LinkedHashMap<>();
        List<String> deployed = new ArrayList<>();
        routes.forEach((route, function) -> {
            String path = resourcePath(route);
            String[] segments = path.substring(1).split("/");
            StringBuilder prefix = new StringBuilder();
            for (String segment : segments) {
                prefix.append('/').append(segment);
                resources.computeIfAbsent(prefix.toString(), p -> imported.getRoot().resourceForPath(p));
            }
            Method method = resources.get(path).addMethod(route.method(), proxyTo(function));
            function.addPermission("ApiPermission", Permission.builder()
                    .principal(new ServicePrincipal("apigateway.amazonaws.com"))
                    .sourceArn(imported.arnForExecuteApi(route.method(), path.replaceAll("\\{[^}]*}", "*"), STAGE))
                    .scope(method)
                    .build());
            deployed.add(route.method() + " " + path + " " + route.handler().getName());
        });
        Integration unrouted = proxyTo(catchAllFunction);
        resources.forEach((path, resource) -> {
            resource.addMethod("ANY", unrouted);
            deployed.add("ANY " + path);
        });
        // A new deployment whenever a family's methods change; created after every family's stack.
        api.getLatestDeployment().addToLogicalId(deployed);
        api.getLatestDeployment().getNode().addDependency(scope);
    }

    /** A Lambda proxy integration ({@code AWS_PROXY}, {@code POST} to the function's invocations), as LambdaIntegration's. */
    private static Integration proxyTo(IFunction function) {
        return Integration.Builder.create()
                .type(IntegrationType.AWS_PROXY)
                .integrationHttpMethod("POST")
                .uri(Fn.join("", List.of("arn:", Aws.PARTITION, ":apigateway:", Aws.REGION,
                        ":lambda:path/2015-03-31/functions/", function.getFunctionArn(), "/invocations")))
                .build();
    }

    /**
     * Serves the Peers page from S3 at {@value #PAGE_BASE_PATH}, on the API's own origin (no CORS, no public
     * bucket), with AWS service integrations ({@code GetObject}, path style) that API Gateway calls as
     * {@code reader}. {@code /ui} and every path under it answer {@code ui/index.html} (the page's routes, such as
     * {@code /v1/ui/dc1/peers/cluster-02/imported-services}; a REST API ignores a trailing slash, so
     * {@code /v1/ui/} is {@code /ui}); {@code /ui/css/*}, {@code /ui/js/*} and {@code /ui/favicon.svg} answer
     * their objects under {@code ui/}. S3's {@code Content-Type} and {@code Cache-Control} pass through; every
     * answer carries {@code headers}. A missing file (S3 answers 403 without {@code s3:ListBucket}) is a 404, an S3
     * failure a 502. Each of these resources also takes {@code ANY} to the catch-all, as every other resource does.
     * Call after {@link #connectUnrouted}.
     *
     * @param bucket  the page's bucket, its files under {@code ui/}
     * @param reader  the role API Gateway assumes to read them
     * @param headers static headers of every answer (name to value; a value must not contain a single quote)
     * @throws IllegalStateException when called before {@link #connectUnrouted}, or a header value has a single quote
     */
    void servePeersPage(IBucket bucket, IRole reader, Map<String, String> headers) {
        if (catchAll == null) {
            throw new IllegalStateException("connect the catch-all before the page");
        }
        IResource ui = api.getRoot().addResource("ui");
        pageMethod(ui, bucket, reader, headers, "index.html", false);
        pageMethod(ui.addResource("{proxy+}"), bucket, reader, headers, "index.html", false);
        for (String folder : PAGE_FOLDERS) {
            IResource resource = ui.addResource(folder);
            pageMethod(resource, bucket, reader, headers, "index.html", false);
            pageMethod(resource.addResource("{proxy+}"), bucket, reader, headers, folder + "/{proxy}", true);
        }
        for (String file : PAGE_FILES) {
            pageMethod(ui.addResource(file), bucket, reader, headers, file, false);
        }
    }

    /** {@code GET} of one page resource to the S3 object {@code ui/<key>}, and {@code ANY} to the catch-all. */
    private void pageMethod(IResource resource, IBucket bucket, IRole reader, Map<String, String> headers,
                            String key, boolean proxy) {
        Map<String, String> passed = new HashMap<>();
        Map<String, String> notFound = new HashMap<>();
        Map<String, Boolean> declared = new HashMap<>();
        headers.forEach((name, value) -> {
            if (value.contains("'")) {
                throw new IllegalStateException("API Gateway takes static header values in single quotes: " + name);
            }
            passed.put("method.response.header." + name, "'" + value + "'");
            notFound.put("method.response.header." + name, "'" + value + "'");
            declared.put("method.response.header." + name, true);
        });
        for (String name : List.of("Content-Type", "Cache-Control")) {
            passed.put("method.response.header." + name, "integration.response.header." + name);
            declared.put("method.response.header." + name, true);
        }
        notFound.put("method.response.header.Content-Type", "'text/plain; charset=utf-8'");
        Map<String, String> notFoundBody = Map.of("application/json", "Not found");
        AwsIntegration integration = AwsIntegration.Builder.create()
                .service("s3")
                .integrationHttpMethod("GET")
                .path(bucket.getBucketName() + "/ui/" + key)
                .options(IntegrationOptions.builder()
                        .credentialsRole(reader)
                        .requestParameters(proxy ? Map.of("integration.request.path.proxy", "method.request.path.proxy") : Map.of())
                        .integrationResponses(List.of(
                                IntegrationResponse.builder().statusCode("200").responseParameters(passed).build(),
                                IntegrationResponse.builder().selectionPattern("4\\d{2}").statusCode("404")
                                        .responseParameters(notFound).responseTemplates(notFoundBody).build(),
                                IntegrationResponse.builder().selectionPattern("5\\d{2}").statusCode("502")
                                        .responseParameters(notFound).responseTemplates(Map.of("application/json",
                                                "The Peers page could not be read")).build()))
                        .build())
                .build();
        Map<String, Boolean> errorHeaders = new HashMap<>(declared);
        errorHeaders.remove("method.response.header.Cache-Control");
        resource.addMethod("GET", integration, MethodOptions.builder()
                .requestParameters(proxy ? Map.of("method.request.path.proxy", true) : Map.of())
                .methodResponses(List.of(
                        MethodResponse.builder().statusCode("200").responseParameters(declared).build(),
                        MethodResponse.builder().statusCode("404").responseParameters(errorHeaders).build(),
                        MethodResponse.builder().statusCode("502").responseParameters(errorHeaders).build()))
                .build());
        resource.addMethod("ANY", catchAll);
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
