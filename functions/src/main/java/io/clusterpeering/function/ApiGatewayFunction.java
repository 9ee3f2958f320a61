package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.http.ApiGatewayPayloads;
import io.clusterpeering.http.ApiRequest;
import io.clusterpeering.http.ApiResponses;
import io.clusterpeering.http.ContentCoding;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.HandlerUtils;
import io.micronaut.function.aws.MicronautRequestHandler;
import io.micronaut.function.aws.event.AfterExecutionEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The Lambda entry point of every function behind API Gateway, for an HTTP API (payload format 2.0) and a REST
 * API (payload format 1.0) alike. Lambda calls {@link #handleRequest(InputStream, OutputStream, Context)}: the
 * Java runtime prefers a {@link RequestStreamHandler} over a typed {@code RequestHandler} when the handler is
 * named by its class alone (as our stack names it), so the event's JSON reaches us untouched,
 * {@link ApiGatewayPayloads} tells its format from the event itself, and the answer goes back in that same
 * format. Either way the request becomes one {@link ApiRequest} and one call of {@link #answer}, so a handler
 * cannot tell the two APIs apart. Every entry point codes the answer for the request's {@code Accept-Encoding}
 * ({@link ContentCoding}: gzip, in base64, as Consul's HTTP server gzips), so each function, the local server and
 * both APIs answer alike.
 *
 * <p>The typed entry points stay for callers that hold an event object: {@link #execute(APIGatewayV2HTTPEvent)}
 * (the local server, tests) and {@link #execute(APIGatewayProxyRequestEvent)}. The application context starts in
 * the constructor, as Micronaut's Lambda support does it, so SnapStart snapshots a started context.
 */
public abstract class ApiGatewayFunction extends MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse>
        implements RequestStreamHandler {

    protected ApiGatewayFunction() {
        super();
    }

    protected ApiGatewayFunction(ApplicationContext context) {
        super(context);
    }

    /**
     * Answers one request, whichever API it came through.
     *
     * @param request the parsed request
     * @return the answer, in payload 2.0's shape (converted for a REST API by the caller)
     */
    public abstract APIGatewayV2HTTPResponse answer(ApiRequest request);

    /** Answers an HTTP API event (payload format 2.0), coded for its {@code Accept-Encoding}. */
    @Override
    public final APIGatewayV2HTTPResponse execute(APIGatewayV2HTTPEvent event) {
        return coded(ApiRequest.of(event));
    }

    /** Answers a REST API proxy event (payload format 1.0) with a REST API proxy answer, coded for its {@code Accept-Encoding}. */
    public final APIGatewayProxyResponseEvent execute(APIGatewayProxyRequestEvent event) {
        return ApiResponses.restProxy(coded(ApiRequest.of(event)));
    }

    /** The answer to a request, content-coded as the request's {@code Accept-Encoding} allows ({@link ContentCoding}). */
    private APIGatewayV2HTTPResponse coded(ApiRequest request) {
        return ContentCoding.apply(request.header("Accept-Encoding").orElse(null), answer(request));
    }

    /**
     * Lambda's entry point: reads the event in either payload format, answers it and writes the answer in the
     * same format. Publishes Micronaut's {@link AfterExecutionEvent}, as the typed entry point does.
     *
     * @throws IOException              when the input is not JSON or the output cannot be written
     * @throws IllegalArgumentException when the input is not an API Gateway proxy event (a direct invocation with
     *                                  another payload), which Lambda reports as the invocation's error
     */
    @Override
    public final void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        HandlerUtils.configureWithContext(this, context);
        var publisher = getApplicationContext().getEventPublisher(AfterExecutionEvent.class);
        try {
            ApiGatewayPayloads.Invocation invocation = ApiGatewayPayloads.read(input);
            APIGatewayV2HTTPResponse response = coded(invocation.request());
            ApiGatewayPayloads.write(invocation.format(), response, output);
            publisher.publishEvent(AfterExecutionEvent.success(context, response));
        } catch (IOException | RuntimeException e) {
            publisher.publishEvent(AfterExecutionEvent.failure(context, e));
            throw e;
        }
    }
}
