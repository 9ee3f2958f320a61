package io.clusterpeering.infra;

import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.IgnoreMode;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudfront.AllowedMethods;
import software.amazon.awscdk.services.cloudfront.BehaviorOptions;
import software.amazon.awscdk.services.cloudfront.CachePolicy;
import software.amazon.awscdk.services.cloudfront.Distribution;
import software.amazon.awscdk.services.cloudfront.FunctionAssociation;
import software.amazon.awscdk.services.cloudfront.FunctionCode;
import software.amazon.awscdk.services.cloudfront.FunctionEventType;
import software.amazon.awscdk.services.cloudfront.FunctionRuntime;
import software.amazon.awscdk.services.cloudfront.HeadersFrameOption;
import software.amazon.awscdk.services.cloudfront.HeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.HttpVersion;
import software.amazon.awscdk.services.cloudfront.OriginProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.OriginRequestPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentSecurityPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersContentTypeOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersFrameOptions;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersReferrerPolicy;
import software.amazon.awscdk.services.cloudfront.ResponseHeadersStrictTransportSecurity;
import software.amazon.awscdk.services.cloudfront.ResponseSecurityHeadersBehavior;
import software.amazon.awscdk.services.cloudfront.ViewerProtocolPolicy;
import software.amazon.awscdk.services.cloudfront.origins.HttpOrigin;
import software.amazon.awscdk.services.cloudfront.origins.S3BucketOrigin;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.assets.AssetOptions;
import software.amazon.awscdk.services.s3.deployment.BucketDeployment;
import software.amazon.awscdk.services.s3.deployment.CacheControl;
import software.amazon.awscdk.services.s3.deployment.ISource;
import software.amazon.awscdk.services.s3.deployment.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the Peers page (the static files of {@code ui/}) is served from in AWS, per API variant: through CloudFront,
 * which also forwards {@code /v1/*} to the HTTP API, or, without CloudFront (which LocalStack's free plan lacks),
 * from S3 through the REST API itself; in both, from a private, encrypted bucket with the page's security headers.
 * Part of {@link ClusterStack}; each method adds its resources to the stack it is given, under fixed IDs.
 */
final class PeersPageHosting {
    /**
     * What of {@code ui/} is the Peers page (gitignore syntax: everything at the top but these): the same entries as
     * the local runtime serves; the rest of {@code ui/} is test tooling.
     */
    static final List<String> UI_PAGE_ONLY = List.of("/*", "!/index.html", "!/favicon.svg", "!/css/", "!/js/");
    /** Where the page is served locally and through CloudFront, and what {@code index.html} refers to. */
    static final String UI_BASE_PATH = "/ui/";
    /** The page loads nothing from elsewhere; the same policy as the local runtime sends. */
    static final String UI_CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

    /**
     * The REST variant's Peers page, without CloudFront (which LocalStack's free plan lacks): the page's files in
     * their bucket ({@link #peersPageBucket}) with {@code index.html} made for {@value RestApiFrontDoor#PAGE_BASE_PATH},
     * served by the REST API itself from S3 ({@link RestApiFrontDoor#servePeersPage}), so the page calls the API
     * on its own origin (no CORS, no public bucket). API Gateway reads the files with a role of their own, which
     * only API Gateway can assume and which may only {@code s3:GetObject} under {@code ui/} of that bucket. Every
     * answer carries the page's security headers; the Content-Security-Policy names the API's own origin where
     * the local runtime and CloudFront say {@code 'self'}, and {@code X-Frame-Options: DENY} stands for
     * {@code frame-ancestors 'none'} (API Gateway's static header values are quoted and cannot hold a quote).
     * Output {@code PeersPageUrl}.
     */
    static void fromS3ThroughRestApi(ClusterStack stack, String datacenter, ApiFrontDoor api) {
        Bucket bucket = peersPageBucket(stack, datacenter, RestApiFrontDoor.PAGE_BASE_PATH);
        Role reader = Role.Builder.create(stack, "UiReaderRole")
                .assumedBy(new ServicePrincipal("apigateway.amazonaws.com"))
                .description("Cluster Peering " + datacenter + ": API Gateway reads the Peers page's files, nothing else")
                .build();
        reader.addToPolicy(PolicyStatement.Builder.create()
                .actions(List.of("s3:GetObject"))
                .resources(List.of(bucket.arnForObjects("ui/*")))
                .build());
        String origin = api.baseUrl();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Security-Policy", "default-src " + origin + "; base-uri " + origin + "; form-action " + origin);
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
        ((RestApiFrontDoor) api).servePeersPage(bucket, reader, headers);

        CfnOutput.Builder.create(stack, "PeersPageUrl")
                .description("The Peers page, served by the REST API from S3; /v1/* beside it is stack cluster's API")
                .value(api.baseUrl() + RestApiFrontDoor.PAGE_BASE_PATH)
                .build();
    }

    /**
     * The Peers page's files in a private ({@link BlockPublicAccess#BLOCK_ALL}), encrypted (S3-managed keys),
     * versioned, SSL-only bucket, under {@code ui/}: the page's entries of {@code ui/} (context {@code uiDir},
     * default {@code ../ui}; {@link #UI_PAGE_ONLY}), deployed with {@code Cache-Control: no-cache} by a
     * {@link BucketDeployment} that prunes what a new version no longer has. {@code index.html} refers to the
     * page's files under {@code /ui/}; for a page served at another base path, it is deployed with every
     * {@code ="/ui/} made {@code ="<basePath>} ({@link #indexHtmlServedAt}).
     *
     * @param basePath where the page is served, {@code /ui/} or {@code /v1/ui/}
     * @throws IllegalStateException when {@code index.html} cannot be read, or does not load the page from /ui/
     */
    private static Bucket peersPageBucket(ClusterStack stack, String datacenter, String basePath) {
        Bucket bucket = Bucket.Builder.create(stack, "UiBucket")
                .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                .encryption(BucketEncryption.S3_MANAGED)
                .enforceSsl(true)
                .versioned(true)
                .build();

        String name = "UiDeployment";
        LogGroup logs = stack.logGroup(name);
        String uiDir = String.valueOf(java.util.Objects.requireNonNullElse(stack.getNode().tryGetContext("uiDir"), "../ui"));
        List<ISource> sources = new ArrayList<>();
        if (basePath.equals(UI_BASE_PATH)) {
            sources.add(Source.asset(uiDir, AssetOptions.builder().ignoreMode(IgnoreMode.GIT).exclude(UI_PAGE_ONLY).build()));
        } else {
            List<String> withoutIndex = new ArrayList<>(UI_PAGE_ONLY);
            withoutIndex.add("/index.html");
            sources.add(Source.asset(uiDir, AssetOptions.builder().ignoreMode(IgnoreMode.GIT).exclude(withoutIndex).build()));
            String html;
            try {
                html = Files.readString(Path.of(uiDir, "index.html"));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the Peers page's index.html in " + uiDir, e);
            }
            sources.add(Source.data("index.html", indexHtmlServedAt(html, basePath)));
        }
        BucketDeployment.Builder.create(stack, name)
                .sources(sources)
                .destinationBucket(bucket)
                .destinationKeyPrefix("ui/")
                .cacheControl(List.of(CacheControl.noCache()))
                .prune(true)
                .memoryLimit(256)
                .role(stack.roleWritingTo(name, logs))
                .logGroup(logs)
                .build();
        return bucket;
    }

    /**
     * The page's {@code index.html} for a page served at {@code basePath}: every attribute value starting with
     * {@code /ui/} (the stylesheet, the script, the icon, the header's links) starts with {@code basePath} instead.
     * The scripts find their base path in the address themselves.
     *
     * @throws IllegalStateException when the file does not load {@code /ui/js/app.js}, so the rewrite would miss
     */
    static String indexHtmlServedAt(String html, String basePath) {
        if (!html.contains("src=\"" + UI_BASE_PATH + "js/app.js\"")) {
            throw new IllegalStateException("index.html does not load " + UI_BASE_PATH + "js/app.js; "
                    + "cannot serve it at " + basePath);
        }
        return html.replace("=\"" + UI_BASE_PATH, "=\"" + basePath);
    }

    /**
     * The Peers page: the page's files of {@code ui/} (context {@code uiDir}, default {@code ../ui}) in a private,
     * encrypted, versioned S3 bucket, and a CloudFront distribution that serves them at {@code /ui/} and forwards
     * {@code /v1/*} to the HTTP API, so the page calls the API on its own origin (no CORS). The API behaviour caches
     * nothing and forwards every header but Host, every query string and cookie, and every method; both are HTTPS
     * only (the page's behaviour redirects HTTP). Output {@code PeersPageUrl}.
     */
    static void throughCloudFront(ClusterStack stack, String datacenter, ApiFrontDoor api) {
        Bucket bucket = peersPageBucket(stack, datacenter, UI_BASE_PATH);

        // The page's routes (/ui/dc1/peers/...) are files for nobody but the page: answer index.html for any path
        // under /ui/ without an extension, and send / to /ui/.
        software.amazon.awscdk.services.cloudfront.Function routes = software.amazon.awscdk.services.cloudfront.Function.Builder
                .create(stack, "UiRoutes")
                .comment("Cluster Peering " + datacenter + ": / to /ui/, page routes to /ui/index.html")
                .runtime(FunctionRuntime.JS_2_0)
                .code(FunctionCode.fromInline(String.join("\n",
                        "function handler(event) {",
                        "  var request = event.request;",
                        "  var uri = request.uri;",
                        "  if (uri === '/' || uri === '/ui') {",
                        "    return { statusCode: 302, statusDescription: 'Found', headers: { location: { value: '/ui/' } } };",
                        "  }",
                        "  if (uri.startsWith('/ui/') && uri.lastIndexOf('.') < uri.lastIndexOf('/')) {",
                        "    request.uri = '/ui/index.html';",
                        "  }",
                        "  return request;",
                        "}")))
                .build();
        ResponseHeadersPolicy headers = ResponseHeadersPolicy.Builder.create(stack, "UiHeaders")
                .comment("Cluster Peering " + datacenter + ": the Peers page loads nothing from elsewhere")
                .securityHeadersBehavior(ResponseSecurityHeadersBehavior.builder()
                        .contentSecurityPolicy(ResponseHeadersContentSecurityPolicy.builder()
                                .contentSecurityPolicy(UI_CONTENT_SECURITY_POLICY).override(true).build())
                        .contentTypeOptions(ResponseHeadersContentTypeOptions.builder().override(true).build())
                        .frameOptions(ResponseHeadersFrameOptions.builder().frameOption(HeadersFrameOption.DENY).override(true).build())
                        .referrerPolicy(ResponseHeadersReferrerPolicy.builder()
                                .referrerPolicy(HeadersReferrerPolicy.NO_REFERRER).override(true).build())
                        .strictTransportSecurity(ResponseHeadersStrictTransportSecurity.builder()
                                .accessControlMaxAge(Duration.days(365)).includeSubdomains(true).override(true).build())
                        .build())
                .build();

        // The HTTP API's host name: https://{id}.execute-api.{region}.amazonaws.com -> {id}.execute-api...
        HttpOrigin apiOrigin = HttpOrigin.Builder.create(Fn.select(2, Fn.split("/", api.baseUrl())))
                .protocolPolicy(OriginProtocolPolicy.HTTPS_ONLY)
                .readTimeout(Duration.seconds(30))
                .build();
        // Files carry Cache-Control: no-cache (peersPageBucket), so the edge revalidates (CachingOptimized keeps them
        // at most its 1 s minimum): a new deployment shows at once without an invalidation (which would need
        // cloudfront:* on *).
        Distribution distribution = Distribution.Builder.create(stack, "UiDistribution")
                .comment("Cluster Peering " + datacenter + ": the Peers page and the API on one origin")
                .httpVersion(HttpVersion.HTTP2_AND_3)
                .defaultBehavior(BehaviorOptions.builder()
                        .origin(S3BucketOrigin.withOriginAccessControl(bucket))
                        .viewerProtocolPolicy(ViewerProtocolPolicy.REDIRECT_TO_HTTPS)
                        .cachePolicy(CachePolicy.CACHING_OPTIMIZED)
                        .responseHeadersPolicy(headers)
                        .functionAssociations(List.of(FunctionAssociation.builder()
                                .function(routes).eventType(FunctionEventType.VIEWER_REQUEST).build()))
                        .build())
                .additionalBehaviors(Map.of("/v1/*", BehaviorOptions.builder()
                        .origin(apiOrigin)
                        .viewerProtocolPolicy(ViewerProtocolPolicy.HTTPS_ONLY)
                        .allowedMethods(AllowedMethods.ALLOW_ALL)
                        .cachePolicy(CachePolicy.CACHING_DISABLED)
                        .originRequestPolicy(OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER)
                        .build()))
                .build();

        CfnOutput.Builder.create(stack, "PeersPageUrl")
                .description("The Peers page; /v1/* on the same host is stack cluster's HTTP API")
                .value("https://" + distribution.getDistributionDomainName() + "/ui/")
                .build();
    }

    private PeersPageHosting() {
    }
}
