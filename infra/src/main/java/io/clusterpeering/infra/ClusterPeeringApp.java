package io.clusterpeering.infra;

import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app. Context values: {@code datacenters} (comma-separated, default {@code dc1,dc2}: one stack
 * {@code cluster-peering-<dc>} each), {@code functionsJar} (default
 * {@code ../functions/target/functions-lambda.jar}, built by {@code mvn package}, with the identity bootstrap's
 * {@code identity-bootstrap-lambda.jar} beside it), and the API's settings {@code api} ({@code http} or
 * {@code rest}), {@code throttleRate}, {@code throttleBurst} and {@code localstack} ({@link ApiSettings}).
 * Account and region come from
 * {@code CDK_DEFAULT_ACCOUNT} / {@code CDK_DEFAULT_REGION} when set; without them the stacks are
 * environment-agnostic, so {@code cdk synth} needs no AWS account.
 */
public final class ClusterPeeringApp {
    private ClusterPeeringApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        String datacenters = contextOr(app, "datacenters", "dc1,dc2");
        String jar = contextOr(app, "functionsJar", "../functions/target/functions-lambda.jar");
        ApiSettings api = ApiSettings.fromContext(key -> app.getNode().tryGetContext(key));
        String account = System.getenv("CDK_DEFAULT_ACCOUNT");
        String region = System.getenv("CDK_DEFAULT_REGION");
        StackProps props = account != null && region != null
                ? StackProps.builder().env(Environment.builder().account(account).region(region).build()).build()
                : StackProps.builder().build();
        for (String datacenter : datacenters.split(",")) {
            String dc = datacenter.strip();
            new ClusterStack(app, "cluster-peering-" + dc, props, dc, jar, api);
        }
        app.synth();
    }

    private static String contextOr(App app, String key, String fallback) {
        Object value = app.getNode().tryGetContext(key);
        return value == null || value.toString().isBlank() ? fallback : value.toString();
    }
}
