package io.clusterpeering.support;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

/**
 * The Lambda {@link Context} of one invocation, as the runtime passes it: its own request ID, the function's name
 * and how much of its timeout is left.
 *
 * @param getAwsRequestId          the invocation's request ID
 * @param getFunctionName          the function's name, for its log group and ARN
 * @param getRemainingTimeInMillis what is left of the invocation, in milliseconds
 */
public record LambdaInvocation(String getAwsRequestId, String getFunctionName, int getRemainingTimeInMillis)
        implements Context {

    /** An invocation with 30 seconds left. */
    public static LambdaInvocation of(String requestId, String functionName) {
        return new LambdaInvocation(requestId, functionName, 30_000);
    }

    @Override public String getLogGroupName() { return "/aws/lambda/" + getFunctionName; }
    @Override public String getLogStreamName() { return "stream"; }
    @Override public String getFunctionVersion() { return "1"; }
    @Override public String getInvokedFunctionArn() {
        return "arn:aws:lambda:us-east-1:000000000000:function:" + getFunctionName + ":live";
    }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() { return null; }
}
