package io.clusterpeering.bench;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import io.clusterpeering.function.ListPeeringsFunction;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One cold start of one function handler, as Lambda does it without SnapStart: a fresh JVM, the handler's
 * no-argument constructor (which starts its application context), then the first API Gateway event (HTTP API,
 * payload 2.0, {@code GET /v1/peerings}) answered through the stream entry point Lambda calls, from the event's
 * bytes to the answer's. Prints the milliseconds from JVM start to that answer. Run from the shaded Lambda jar
 * by {@code functions/scripts/cold-start.sh}.
 */
public final class ColdStartProbe {
    private ColdStartProbe() {
    }

    public static void main(String[] args) throws IOException {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        ListPeeringsFunction function = new ListPeeringsFunction();
        long constructed = System.currentTimeMillis();
        String event = "{\"version\":\"2.0\",\"routeKey\":\"GET /v1/peerings\",\"rawPath\":\"/v1/peerings\","
                + "\"headers\":{\"user-agent\":\"cold-start-probe\"},\"requestContext\":{\"requestId\":\"cold-start\","
                + "\"http\":{\"method\":\"GET\",\"path\":\"/v1/peerings\"}},\"isBase64Encoded\":false}";
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        function.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), answer, new ProbeContext());
        long answered = System.currentTimeMillis();
        Matcher status = Pattern.compile("\"statusCode\":(\\d+)").matcher(answer.toString(StandardCharsets.UTF_8));
        int code = status.find() ? Integer.parseInt(status.group(1)) : -1;
        System.out.printf("cold start: status %d, constructor done %d ms, first answer %d ms after JVM start%n",
                code, constructed - jvmStart, answered - jvmStart);
        System.exit(code == 200 ? 0 : 1);
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
