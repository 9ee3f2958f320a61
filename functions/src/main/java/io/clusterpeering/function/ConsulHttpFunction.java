package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.PeeringException.InvalidRequest;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ErrorResponses;
import io.micronaut.context.ApplicationContext;
import org.slf4j.MDC;

/**
 * The base of every HTTP function: one Lambda handler per route of Consul's API, behind an API Gateway HTTP API
 * (payload format 2.0) or REST API (payload format 1.0): {@link ApiGatewayFunction} reads either event into an
 * {@link ApiRequest} and writes the answer back in its format. For each request it rejects a {@code ?dc=} other
 * than this cluster's datacenter (400), calls {@link #handle}, and turns any exception into Consul's error answer through
 * {@link ErrorResponses}, so no response ever carries a stack trace. The request ID is in every log line (MDC
 * key {@code AWSRequestId}).
 *
 * <p>Two constructors, as Micronaut's Lambda support expects: the no-argument one that Lambda calls (it
 * starts an application context), and one taking an existing context (the local server and tests).
 */
public abstract class ConsulHttpFunction extends ApiGatewayFunction {

    protected ConsulHttpFunction() {
        super();
    }

    protected ConsulHttpFunction(ApplicationContext context) {
        super(context);
    }

    /** The per-request flow, for both payload formats: datacenter check, {@link #handle}, error mapping. */
    @Override
    public final APIGatewayV2HTTPResponse answer(ApiRequest request) {
        MDC.put("AWSRequestId", request.requestId());
        try {
            requireLocalDatacenter(request);
            return handle(request);
        } catch (Exception | StackOverflowError e) {
            return ErrorResponses.of(e, request.requestId());
        } finally {
            MDC.remove("AWSRequestId");
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
     * {@code read} produces with {@code X-Consul-Index} and the other read headers.
     */
    protected final APIGatewayV2HTTPResponse blockingRead(ApiRequest request, java.util.function.Supplier<Object> read) {
        long index = bean(io.clusterpeering.service.BlockingQuery.class).awaitIndexAbove(request.index(), request.waitTime());
        return io.clusterpeering.http.ApiResponses.jsonWithIndex(read.get(), request.pretty(), index);
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
