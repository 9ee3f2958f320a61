package io.clusterpeering.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.function.Routes;
import io.clusterpeering.http.ContentCoding;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Head;
import io.micronaut.http.annotation.Options;
import io.micronaut.http.annotation.Patch;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The local stand-in for API Gateway: takes every HTTP request, turns it into the API Gateway v2 (payload
 * format 2.0) event, and hands it to the same function class that answers the route in AWS. Answers Consul's
 * 404 for an unknown path and 405 (with {@code Allow}) for a known path with another method. Runs handlers on
 * the blocking executor, since blocking queries wait. Answers are content-coded as on Lambda ({@link ContentCoding},
 * applied by the function's entry point, and here for the 404 and 405): a gzipped answer's base64 body goes out as
 * its bytes, as API Gateway sends it; the server's own compression is off ({@code application-local.properties}),
 * so this one coding is all there is. GET and HEAD of {@code /} and {@code /ui/...} are the Peers
 * page's instead ({@link LocalUi}).
 */
@Controller
@Consumes(MediaType.ALL)
@Produces(MediaType.ALL)
@Requires(env = "local")
@ExecuteOn(TaskExecutors.BLOCKING)
public class LocalApiController {
    private final LocalRouter router;
    private final String defaultAclPolicy;
    private final LocalUi ui;

    public LocalApiController(ApplicationContext context, AclConfiguration acl) {
        this.router = new LocalRouter(context);
        this.defaultAclPolicy = acl.effectiveDefaultPolicy();
        this.ui = LocalUi.locate(context.getProperty("peering.ui-dir", String.class));
    }

    /** The Peers page at {@code /ui/} ({@code /} redirects there), else the API. */
    @Get(uris = {"/", "/{+path}"})
    public HttpResponse<?> get(HttpRequest<?> request) {
        return pageOrApi(request);
    }

    @Head(uris = {"/", "/{+path}"})
    public HttpResponse<?> head(HttpRequest<?> request) {
        return pageOrApi(request);
    }

    private HttpResponse<?> pageOrApi(HttpRequest<?> request) {
        Optional<MutableHttpResponse<?>> page = ui.answer(request.getPath());
        return page.isPresent() ? page.get() : dispatch(request, null);
    }

    @Delete("/{+path}")
    public HttpResponse<?> delete(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return dispatch(request, body);
    }

    @Post("/{+path}")
    public HttpResponse<?> post(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return dispatch(request, body);
    }

    @Put("/{+path}")
    public HttpResponse<?> put(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return dispatch(request, body);
    }

    @Patch("/{+path}")
    public HttpResponse<?> patch(HttpRequest<?> request, @Nullable @Body byte[] body) {
        return dispatch(request, body);
    }

    @Options("/{+path}")
    public HttpResponse<?> options(HttpRequest<?> request) {
        return dispatch(request, null);
    }

    private HttpResponse<?> dispatch(HttpRequest<?> request, byte[] bytes) {
        String body = bytes == null ? null : new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        String method = request.getMethodName().toUpperCase(Locale.ROOT);
        String path = request.getPath();
        var match = router.match(method, path);
        if (match.isEmpty()) {
            List<String> acceptEncoding = request.getHeaders().getAll("Accept-Encoding");
            return toHttp(ContentCoding.apply(acceptEncoding.isEmpty() ? null : String.join(",", acceptEncoding),
                    Routes.unrouted(method, path, defaultAclPolicy)));
        }
        APIGatewayV2HTTPEvent event = toEvent(request, method, path, body, match.get().pathParameters());
        return toHttp(match.get().function().execute(event));
    }

    private static APIGatewayV2HTTPEvent toEvent(HttpRequest<?> request, String method, String path, String body,
                                                 Map<String, String> pathParameters) {
        Map<String, String> headers = new HashMap<>();
        request.getHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
        Map<String, String> query = new HashMap<>();
        request.getParameters().forEach((name, values) -> query.put(name, String.join(",", values)));
        String requestId = UUID.randomUUID().toString();
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0")
                .withRouteKey(method + " " + path)
                .withRawPath(path)
                .withRawQueryString(request.getUri().getRawQuery() == null ? "" : request.getUri().getRawQuery())
                .withHeaders(headers)
                .withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(pathParameters.isEmpty() ? null : pathParameters)
                .withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder()
                        .withRequestId(requestId)
                        .withTimeEpoch(Instant.now().toEpochMilli())
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                                .withMethod(method).withPath(path).withProtocol("HTTP/1.1")
                                .withSourceIp(request.getRemoteAddress().getAddress().getHostAddress())
                                .build())
                        .build())
                .build();
    }

    /** The function's answer as the HTTP response API Gateway would send: a base64 body goes out as its bytes. */
    private static HttpResponse<?> toHttp(APIGatewayV2HTTPResponse response) {
        MutableHttpResponse<Object> http = HttpResponse.status(io.micronaut.http.HttpStatus.valueOf(response.getStatusCode()));
        if (response.getHeaders() != null) {
            response.getHeaders().forEach(http::header);
        }
        String body = response.getBody();
        if (body != null && !body.isEmpty()) {
            http.body(response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body);
        }
        return http;
    }
}
