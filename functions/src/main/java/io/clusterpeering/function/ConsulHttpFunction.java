package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.acl.Caller;
import io.clusterpeering.acl.Filtered;
import io.clusterpeering.config.AclConfiguration;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ErrorResponses;
import io.clusterpeering.service.AclService;
import io.clusterpeering.token.SecretGuard;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;
import org.slf4j.MDC;

/**
 * The base of every HTTP function: one Lambda handler per route of Consul's API (API Gateway HTTP API,
 * payload format 2.0). It reads the event into an {@link ApiRequest}, rejects a {@code ?dc=} other than this
 * cluster's datacenter (400), runs the route's ACL check (the one place it runs: {@link AclService#authorize}
 * with what {@link Routes} declares for the route), calls {@link #handle} with the resolved caller, and turns any exception into Consul's error answer through
 * {@link ErrorResponses}, so no response ever carries a stack trace. The request ID is in every log line (MDC
 * key {@code AWSRequestId}).
 *
 * <p>Two constructors, as Micronaut's Lambda support expects: the no-argument one that Lambda calls (it
 * starts an application context), and one taking an existing context (the local server and tests).
 */
public abstract class ConsulHttpFunction extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

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
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey(route.method() + " " + route.path()).withRawPath(path)
                .withHeaders(new java.util.HashMap<>(java.util.Map.of("content-type", "application/json")))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("snapstart-priming")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(route.method())
                                .withPath(path).build()).build())
                .build();
        ApiRequest request = ApiRequest.of(event);
        try {
            requireLocalDatacenter(request);
            bean(AclService.class).authorize(route.acl(), request.aclToken());
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

    @Override
    public final APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent event) {
        ApiRequest request = ApiRequest.of(event);
        MDC.put("AWSRequestId", request.requestId());
        try {
            APIGatewayV2HTTPResponse response = answer(request);
            response.getHeaders().put("X-Consul-Default-ACL-Policy",
                    bean(AclConfiguration.class).effectiveDefaultPolicy());
            return response;
        } finally {
            MDC.remove("AWSRequestId");
        }
    }

    /**
     * The flow of every request: the datacenter check, then the ACL check of the route ({@link Routes#of}), then
     * {@link #handle}; any failure becomes Consul's error answer.
     */
    private APIGatewayV2HTTPResponse answer(ApiRequest request) {
        try {
            requireLocalDatacenter(request);
            Caller caller = bean(AclService.class).authorize(Routes.of(getClass()).acl(), request.aclToken());
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
        Object body = read.get();
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
