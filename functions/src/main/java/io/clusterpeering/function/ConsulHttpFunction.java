package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ErrorResponses;
import io.clusterpeering.service.AclResolver;
import io.clusterpeering.token.SecretGuard;
import io.micronaut.context.ApplicationContext;
import org.slf4j.MDC;

/**
 * The base of every HTTP function: one Lambda handler per route of Consul's API, behind an API Gateway HTTP API
 * (payload format 2.0) or REST API (payload format 1.0): {@link ApiGatewayFunction} reads either event into an
 * {@link ApiRequest} and writes the answer back in its format. For each request it rejects a {@code ?dc=} other
 * than this cluster's datacenter (400), runs the route's ACL check (the one place it runs:
 * {@link AclResolver#authorize} with what {@link Routes} declares for the route), calls {@link #handle} with the
 * resolved caller, and turns any exception into Consul's error answer through
 * {@link ErrorResponses}, so no response ever carries a stack trace. The request ID is in every log line (MDC
 * key {@code AWSRequestId}).
 *
 * <p>Two constructors, as Micronaut's Lambda support expects: the no-argument one that Lambda calls (it
 * starts an application context), and one taking an existing context (the local server and tests).
 */
public abstract class ConsulHttpFunction extends ApiGatewayFunction {

    /** The name in the path of a priming request: no peering, service or entry is ever called this. */
    static final String PRIMING_NAME = "snapstart-priming";

    protected ConsulHttpFunction() {
        super();
        registerPriming();
    }

    protected ConsulHttpFunction(ApplicationContext context) {
        super(context);
        registerPriming();
    }

    private void registerPriming() {
        getApplicationContext().findBean(SnapStartPriming.class).ifPresent(p -> p.register(getClass(), this::prime));
    }

    /**
     * SnapStart priming of this function ({@link SnapStartPriming}): the code path of its first request, without
     * writing and without reading a secret. An anonymous request of the route takes the steps of {@link #execute}:
     * event parsing, the datacenter check, the ACL token check with its token-check read, and the refusal's answer
     * when ACLs refuse it; then, for a GET route, {@link #handle} answers a request for the name
     * {@value #PRIMING_NAME} as an unrestricted caller (the blocking-query index, the route's store reads, the JSON
     * views or the 404 answer), so the route's own reads are primed even when ACLs refuse the anonymous token.
     * Routes that write stop after the ACL check: priming never changes state. A path that would read key material
     * stops there ({@link SecretGuard}).
     */
    protected void prime() {
        Routes.Route route = Routes.of(getClass());
        boolean read = route.method().equals("GET");
        String path = route.path().replaceAll("\\{[^}]+}", PRIMING_NAME);
        // The event as Lambda hands it over: bytes of an HTTP API (payload 2.0) event, read by the stream entry point.
        String event = "{\"version\":\"2.0\",\"routeKey\":\"" + route.method() + " " + route.path() + "\","
                + "\"rawPath\":\"" + path + "\",\"headers\":{\"content-type\":\"application/json\"},"
                + "\"requestContext\":{\"requestId\":\"snapstart-priming\",\"http\":{\"method\":\""
                + route.method() + "\",\"path\":\"" + path + "\"}}}";
        ApiRequest request;
        try {
            request = io.clusterpeering.http.ApiGatewayPayloads.read(new java.io.ByteArrayInputStream(
                    event.getBytes(java.nio.charset.StandardCharsets.UTF_8))).request();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        try {
            requireLocalDatacenter(request);
            bean(AclResolver.class).authorize(route.acl(), request.aclToken());
        } catch (SecretGuard.SecretRefused stopHere) {
            // the path reads a secret next: priming ends here
        } catch (RuntimeException refused) {
            ErrorResponses.of(refused, request.requestId());
        }
        bean(AclConfiguration.class).effectiveDefaultPolicy();
        if (read) {
            try {
                handle(request.withCaller(Caller.unrestricted()));
            } catch (SecretGuard.SecretRefused stopHere) {
                // the path reads a secret next: priming ends here
            } catch (RuntimeException answered) {
                ErrorResponses.of(answered, request.requestId());
            }
        }
    }

    /**
     * The per-request flow, for both payload formats: the datacenter check, then the ACL check of the route
     * ({@link Routes#of}), then {@link #handle}; any failure becomes Consul's error answer. Every answer carries
     * {@code X-Consul-Default-ACL-Policy}.
     */
    @Override
    public final APIGatewayV2HTTPResponse answer(ApiRequest request) {
        MDC.put("AWSRequestId", request.requestId());
        try {
            APIGatewayV2HTTPResponse response = guarded(request);
            response.getHeaders().put("X-Consul-Default-ACL-Policy",
                    bean(AclConfiguration.class).effectiveDefaultPolicy());
            return response;
        } finally {
            MDC.remove("AWSRequestId");
        }
    }

    private APIGatewayV2HTTPResponse guarded(ApiRequest request) {
        try {
            requireLocalDatacenter(request);
            Caller caller = bean(AclResolver.class).authorize(Routes.of(getClass()).acl(), request.aclToken());
            return handle(caller == null ? request : request.withCaller(caller));
        } catch (Exception | StackOverflowError e) {
            return ErrorResponses.of(e, request.requestId());
        }
    }

    /**
     * Answers one request.
     *
     * @param request the parsed request
     * @return the response; exceptions are mapped by the caller
     */
    protected abstract APIGatewayV2HTTPResponse handle(ApiRequest request);

    /**
     * A Consul read: waits as a blocking query ({@code ?index=&wait=}), then answers the body that
     * {@code read} produces with {@code X-Consul-Index} and the other read headers. A {@link Filtered} body is
     * answered as its value, with {@code X-Consul-Results-Filtered-By-ACLs: true} when ACLs removed something.
     */
    protected final APIGatewayV2HTTPResponse blockingRead(ApiRequest request, java.util.function.Supplier<Object> read) {
        long index = bean(io.clusterpeering.service.BlockingQuery.class).awaitIndexAbove(request.index(), request.waitTime());
        return indexedResponse(request, read.get(), index);
    }

    /**
     * A Consul read over the index counters its data depends on: without {@code ?index=} it reads at once and
     * answers the index the read itself saw (no counter read); with one it waits as a blocking query on the
     * scopes first ({@link io.clusterpeering.service.BlockingQuery#read}). A {@link Filtered} value is answered
     * as {@link #blockingRead(ApiRequest, java.util.function.Supplier)} answers it.
     */
    protected final APIGatewayV2HTTPResponse blockingRead(ApiRequest request,
                                                          java.util.List<io.clusterpeering.store.IndexScope> scopes,
                                                          java.util.function.Supplier<io.clusterpeering.domain.Indexed<?>> read) {
        io.clusterpeering.domain.Indexed<?> result = bean(io.clusterpeering.service.BlockingQuery.class)
                .read(request.index(), request.waitTime(), scopes, read::get);
        return indexedResponse(request, result.value(), result.index());
    }

    /** Answers a read's value with its index, as {@link #blockingRead(ApiRequest, java.util.function.Supplier)} does. */
    protected static APIGatewayV2HTTPResponse indexedAnswer(ApiRequest request, io.clusterpeering.domain.Indexed<?> read) {
        return indexedResponse(request, read.value(), read.index());
    }

    private static APIGatewayV2HTTPResponse indexedResponse(ApiRequest request, Object body, long index) {
        if (body instanceof Filtered<?> filtered) {
            APIGatewayV2HTTPResponse response = ApiResponses.jsonWithIndex(filtered.value(), request.pretty(), index);
            if (filtered.filtered()) {
                response.getHeaders().put("X-Consul-Results-Filtered-By-ACLs", "true");
            }
            return response;
        }
        return ApiResponses.jsonWithIndex(body, request.pretty(), index);
    }

    /** A bean of the function's application context. */
    protected final <T> T bean(Class<T> type) {
        return getApplicationContext().getBean(type);
    }

    private void requireLocalDatacenter(ApiRequest request) {
        String local = bean(PeeringConfiguration.class).getDatacenter();
        request.query("dc").filter(dc -> !dc.isEmpty() && !dc.equalsIgnoreCase(local)).ifPresent(dc -> {
            throw new InvalidRequest("dc: datacenter \"" + dc + "\" is not served here; this cluster is datacenter \""
                    + local + "\" and does not forward requests to other datacenters");
        });
    }
}
