package io.clusterpeering.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import io.clusterpeering.function.ListPeeringsFunction;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * One cold start of one function handler, as Lambda does it without SnapStart: a fresh JVM, the handler's
 * no-argument constructor (which starts its application context), then the first API Gateway v2 event
 * ({@code GET /v1/peerings}) answered. Prints the milliseconds from JVM start to that answer. Run from the
 * shaded Lambda jar by {@code functions/scripts/cold-start.sh}.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        ListPeeringsFunction function = new ListPeeringsFunction();
        long constructed = System.currentTimeMillis();
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey("GET /v1/peerings").withRawPath("/v1/peerings")
                .withHeaders(Map.of("user-agent", "cold-start-probe"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("cold-start")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET")
                                .withPath("/v1/peerings").build()).build())
                .build();
        APIGatewayV2HTTPResponse response = function.handleRequest(event, new ProbeContext());
        long answered = System.currentTimeMillis();
        System.out.printf("cold start: status %d, constructor done %d ms, first answer %d ms after JVM start%n",
                response.getStatusCode(), constructed - jvmStart, answered - jvmStart);
        System.exit(response.getStatusCode() == 200 ? 0 : 1);
    }

    /** The few Context values a handler reads. */
    private static final class ProbeContext implements Context {
        public String getAwsRequestId() { return "cold-start"; }
        public String getLogGroupName() { return "probe"; }
        public String getLogStreamName() { return "probe"; }
        public String getFunctionName() { return "ListPeerings"; }
        public String getFunctionVersion() { return "$LATEST"; }
        public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:ListPeerings"; }
        public CognitoIdentity getIdentity() { return null; }
        public ClientContext getClientContext() { return null; }
        public int getRemainingTimeInMillis() { return 30_000; }
        public int getMemoryLimitInMB() { return 1024; }
        public LambdaLogger getLogger() { return null; }
    }
}
