package io.clusterpeering.infra;

import io.clusterpeering.function.AclManagementTokenBootstrapFunction;
import io.clusterpeering.function.ClusterIdentityBootstrapFunction;
import io.clusterpeering.function.ExportStreamFunction;
import io.clusterpeering.function.HeartbeatFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.function.Routes;
import io.clusterpeering.function.UnroutedFunction;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.aws_apigatewayv2_integrations.HttpLambdaIntegration;
import software.amazon.awscdk.customresources.Provider;
import software.amazon.awscdk.services.apigatewayv2.AddRoutesOptions;
import software.amazon.awscdk.services.apigatewayv2.HttpApi;
import software.amazon.awscdk.services.apigatewayv2.HttpStage;
import software.amazon.awscdk.services.apigatewayv2.ThrottleSettings;
import software.amazon.awscdk.services.apigatewayv2.PayloadFormatVersion;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.StreamViewType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.FilterCriteria;
import software.amazon.awscdk.services.lambda.FilterRule;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.StartingPosition;
import software.amazon.awscdk.services.lambda.eventsources.DynamoEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsDlq;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One cluster: an API Gateway HTTP API whose routes are exactly {@link Routes#ALL}, one Lambda function per
 * route plus the stream handler and the heartbeat, the single DynamoDB table with its stream, the identity
 * secret, and the wiring between them. Two stacks with different datacenters are two peerable clusters.
 *
 * <p>Every Java function: arm64, 1024 MB, SnapStart on published versions behind the alias {@code live}
 * (which API Gateway, the stream mapping and the schedule invoke), a log group with one month's retention,
 * and a role of its own holding only {@link FunctionAccess}'s grants plus writing to its own log group.
 *
 * <p>Closed by default: ACLs are on with default policy {@code deny} (turning them off takes {@code -c acl=off}
 * and prints a warning at synth), a custom resource bootstraps them at deploy time with a management token whose
 * SecretID lives only in a Secrets Manager secret, a KMS key only the ACL functions may use seals SecretIDs at
 * rest, and the API's default stage throttles requests.
 */
public class ClusterStack extends Stack {
    /** Memory of every Java function, in MB. */
    static final int MEMORY_MB = 1024;
    /** Attempts of a failing stream batch before it goes to the failure queue. */
    static final int STREAM_RETRY_ATTEMPTS = 5;

    /** Context key: {@code -c acl=off} deploys with ACLs off (a warning at synth); anything else keeps them on. */
    static final String ACL_CONTEXT = "acl";
    /** Context keys of the API's default throttle: steady requests per second, and burst. */
    static final String THROTTLE_RATE_CONTEXT = "throttleRate";
    static final String THROTTLE_BURST_CONTEXT = "throttleBurst";
    static final int DEFAULT_THROTTLE_RATE = 50;
    static final int DEFAULT_THROTTLE_BURST = 100;

    private final Table table;
    private final Secret identity;
    private final boolean aclEnabled;
    private final Key secretIdKey;
    private final Secret managementToken;
    private final HttpApi api;
    private final Code code;
    private final Code identityBootstrapCode;
    private final String datacenter;

    /**
     * @param scope        the app
     * @param id           the stack name, for example {@code cluster-peering-dc1}
     * @param props        account and region, or none for an environment-agnostic stack
     * @param datacenter   the cluster's datacenter name
     * @param functionsJar path of {@code functions-lambda.jar}, built by Maven (no Docker bundling); the identity
     *                     bootstrap's own {@code identity-bootstrap-lambda.jar} (the only one with Bouncy Castle, which
     *                     only it needs) is read from the same folder
     */
    public ClusterStack(Construct scope, String id, StackProps props, String datacenter, String functionsJar) {
        super(scope, id, props);
        this.datacenter = datacenter;
        this.code = Code.fromAsset(functionsJar);
        this.identityBootstrapCode = Code.fromAsset(identityBootstrapJar(functionsJar));

        table = Table.Builder.create(this, "Table")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .deletionProtection(true)
                .stream(StreamViewType.NEW_AND_OLD_IMAGES)
                .timeToLiveAttribute("expiresAt")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        aclEnabled = !"off".equalsIgnoreCase(String.valueOf(getNode().tryGetContext(ACL_CONTEXT)));
        if (!aclEnabled) {
            String warning = "ACLs are OFF in " + id + " (-c acl=off): anyone who reaches the API can generate tokens, "
                    + "establish and delete peerings, register services and rewrite intentions";
            Annotations.of(this).addWarningV2("cluster-peering:acl-off", warning);
            System.err.println("WARNING: " + warning);
        }
        secretIdKey = Key.Builder.create(this, "AclSecretIdKey")
                .description("Cluster Peering " + datacenter + ": seals ACL token SecretIDs; only the ACL functions use it")
                .enableKeyRotation(true)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();
        managementToken = Secret.Builder.create(this, "AclManagementToken")
                .description("Cluster Peering " + datacenter + ": the SecretID of the initial ACL management token "
                        + "(written once by the ACL bootstrap at deploy time)")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        identity = Secret.Builder.create(this, "ClusterIdentity")
                .description("Cluster Peering " + datacenter + ": the cluster CA and token-signing key (written once by the bootstrap)")
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        api = HttpApi.Builder.create(this, "Api")
                .apiName("cluster-peering-" + datacenter)
                .description("Consul-compatible cluster peering API of datacenter " + datacenter)
                .createDefaultStage(false)
                .build();
        throttledDefaultStage();
        // $default: Consul's 404 and 405 answers for whatever no route takes.
        api.addRoutes(AddRoutesOptions.builder()
                .path("/{proxy+}")
                .methods(List.of(software.amazon.awscdk.services.apigatewayv2.HttpMethod.ANY))
                .integration(HttpLambdaIntegration.Builder.create("Unrouted", javaFunction(UnroutedFunction.class,
                        Duration.seconds(29))).payloadFormatVersion(PayloadFormatVersion.VERSION_2_0).build())
                .build());

        for (Routes.Route route : Routes.ALL) {
            Alias alias = javaFunction(route.handler(), Duration.seconds(29));
            api.addRoutes(AddRoutesOptions.builder()
                    .path(route.path())
                    .methods(List.of(software.amazon.awscdk.services.apigatewayv2.HttpMethod.valueOf(route.method())))
                    .integration(HttpLambdaIntegration.Builder.create(route.handler().getSimpleName(), alias)
                            .payloadFormatVersion(PayloadFormatVersion.VERSION_2_0).build())
                    .build());
        }

        Alias stream = javaFunction(PeeringStreamFunction.class, Duration.seconds(120));
        Queue failures = Queue.Builder.create(this, "StreamFailures")
                .encryption(QueueEncryption.SQS_MANAGED)
                .retentionPeriod(Duration.days(14))
                .build();
        stream.addEventSource(DynamoEventSource.Builder.create(table)
                .startingPosition(StartingPosition.TRIM_HORIZON)
                .batchSize(10)
                .retryAttempts(STREAM_RETRY_ATTEMPTS)
                .bisectBatchOnError(true)
                .reportBatchItemFailures(true)
                .onFailure(new SqsDlq(failures))
                .filters(List.of(
                        FilterCriteria.filter(Map.of(
                                "eventName", FilterRule.isEqual("MODIFY"),
                                "dynamodb", Map.of("NewImage", Map.of("state", Map.of("S",
                                        FilterRule.or("DELETING", "TERMINATED")))))),
                        FilterCriteria.filter(Map.of(
                                "dynamodb", Map.of("Keys", Map.of("sk", Map.of("S", FilterRule.isEqual("MANIFEST"))))))))
                .build());

        Alias exports = javaFunction(ExportStreamFunction.class, Duration.seconds(120));
        exports.addEventSource(DynamoEventSource.Builder.create(table)
                .startingPosition(StartingPosition.LATEST)
                .batchSize(100)
                .maxBatchingWindow(Duration.seconds(1))
                .retryAttempts(STREAM_RETRY_ATTEMPTS)
                .bisectBatchOnError(true)
                .reportBatchItemFailures(true)
                .onFailure(new SqsDlq(failures))
                .filters(exportFilters())
                .build());

        Alias heartbeat = javaFunction(HeartbeatFunction.class, Duration.seconds(60));
        Rule.Builder.create(this, "HeartbeatSchedule")
                .description("Heartbeats to every connected peer (" + datacenter + ")")
                .schedule(Schedule.rate(Duration.minutes(1)))
                .targets(List.of(LambdaFunction.Builder.create(heartbeat).retryAttempts(0).build()))
                .build();

        bootstrapIdentity();
        bootstrapAcls();

        CfnOutput.Builder.create(this, "ApiUrl").value(api.getApiEndpoint()).build();
        CfnOutput.Builder.create(this, "AclManagementTokenSecretArn").value(managementToken.getSecretArn())
                .description("Secrets Manager secret holding the initial ACL management token's SecretID").build();
        CfnOutput.Builder.create(this, "TableName").value(table.getTableName()).build();
        CfnOutput.Builder.create(this, "FailureQueueUrl").value(failures.getQueueUrl()).build();
    }

    /**
     * What wakes the export handler: a change of the local catalog, of an exported-services entry, a dialer
     * turning ACTIVE, or a peering's first heartbeat. Heartbeats and imported data never wake it.
     */
    private static List<Map<String, Object>> exportFilters() {
        Map<String, Object> prefix = Map.of("prefix", "CATALOG#");
        return List.of(
                FilterCriteria.filter(Map.of("dynamodb", Map.of("Keys", Map.of("pk", Map.of("S", List.of(prefix)))))),
                FilterCriteria.filter(Map.of("dynamodb", Map.of("Keys", Map.of(
                        "pk", Map.of("S", List.of(Map.of("prefix", "CONFIG#"))),
                        "sk", Map.of("S", List.of(Map.of("prefix", "exported-services#"))))))),
                FilterCriteria.filter(Map.of("dynamodb", Map.of(
                        "NewImage", Map.of("state", Map.of("S", List.of("ACTIVE")), "role", Map.of("S", List.of("DIALER"))),
                        "OldImage", Map.of("state", Map.of("S", List.of(Map.of("anything-but", List.of("ACTIVE")))))))),
                FilterCriteria.filter(Map.of("dynamodb", Map.of(
                        "NewImage", Map.of("state", Map.of("S", List.of("ACTIVE")),
                                "lastHeartbeat", Map.of("S", List.of(Map.of("exists", true)))),
                        "OldImage", Map.of("lastHeartbeat", Map.of("S", List.of(Map.of("exists", false))))))));
    }

    /** One Java function with its own role, log group, SnapStart version and {@code live} alias. */
    private Alias javaFunction(Class<?> handler, Duration timeout) {
        String name = handler.getSimpleName().replace("Function", "");
        FunctionAccess access = FunctionAccess.BY_HANDLER.get(handler);
        if (access == null) {
            throw new IllegalStateException("no grants are declared for " + handler.getName());
        }
        LogGroup logs = logGroup(name);
        Role role = roleWritingTo(name, logs);
        role.addToPolicy(PolicyStatement.Builder.create()
                .actions(access.tableActions().stream().map(a -> "dynamodb:" + a).toList())
                .resources(List.of(table.getTableArn()))
                .build());
        if (access.deletesUnder() != null) {
            role.addToPolicy(PolicyStatement.Builder.create()
                    .actions(List.of("dynamodb:DeleteItem"))
                    .resources(List.of(table.getTableArn()))
                    .conditions(Map.of("ForAllValues:StringLike",
                            Map.of("dynamodb:LeadingKeys", List.of(access.deletesUnder() + "*"))))
                    .build());
        }
        if (access.readsIdentity()) {
            identity.grantRead(role);
        }
        if (access.aclAdmin()) {
            secretIdKey.grantEncryptDecrypt(role);
        } else {
            denyAclItems(role);
        }
        Function function = Function.Builder.create(this, name)
                .runtime(Runtime.JAVA_17)
                .architecture(Architecture.ARM_64)
                .memorySize(MEMORY_MB)
                .timeout(timeout)
                .code(code)
                .handler(handler.getName())
                .role(role)
                .logGroup(logs)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .environment(environment())
                .description("Cluster Peering " + datacenter + ": " + handler.getSimpleName())
                .build();
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "every version is published: the live alias points at the function's current version");
        return Alias.Builder.create(this, name + "Live")
                .aliasName("live")
                .version(function.getCurrentVersion())
                .build();
    }

    /** A function's log group: one month's retention, removed with the stack. */
    private LogGroup logGroup(String name) {
        return LogGroup.Builder.create(this, name + "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    /** A function's own role: assumable by Lambda, allowed only to write to its log group until grants are added. */
    private Role roleWritingTo(String name, LogGroup logs) {
        Role role = Role.Builder.create(this, name + "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Cluster Peering " + datacenter + ": " + name + " only")
                .build();
        logs.grantWrite(role);
        return role;
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("PEERING_DATACENTER", datacenter);
        environment.put("PEERING_ADVERTISE_URL", api.getApiEndpoint());
        environment.put("PEERING_DYNAMODB_TABLE_NAME", table.getTableName());
        environment.put("PEERING_DYNAMODB_REGION", Aws.REGION);
        environment.put("PEERING_IDENTITY_SOURCE", "secrets-manager");
        environment.put("PEERING_IDENTITY_SECRET_ID", identity.getSecretArn());
        // EventBridge schedules run at most once a minute: heartbeat every minute, FAILING after five silent ones.
        environment.put("PEERING_HEARTBEAT_INTERVAL", "60s");
        environment.put("PEERING_HEARTBEAT_TIMEOUT", "5m");
        // API Gateway ends a request after 30 s: blocking queries wait at most 25 s.
        environment.put("PEERING_MAX_BLOCKING_WAIT", "25s");
        environment.put("PEERING_ACL_ENABLED", Boolean.toString(aclEnabled));
        environment.put("PEERING_ACL_DEFAULT_POLICY", "deny");
        environment.put("PEERING_ACL_KMS_KEY_ID", secretIdKey.getKeyArn());
        environment.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 "
                + "-Dlogback.configurationFile=logback-lambda.xml");
        return environment;
    }

    /**
     * What keeps a function that is not an ACL function away from ACL items: no access at all to {@code ACL#}
     * items (tokens with their sealed SecretIDs, policies), and no write under {@code ACL_AUTH#} (the token-check
     * items it reads). Explicit denies, so that no later grant can open them.
     */
    private void denyAclItems(Role role) {
        role.addToPolicy(PolicyStatement.Builder.create()
                .effect(Effect.DENY)
                .actions(List.of("dynamodb:*"))
                .resources(List.of(table.getTableArn()))
                .conditions(Map.of("ForAnyValue:StringLike", Map.of("dynamodb:LeadingKeys", List.of("ACL#*"))))
                .build());
        role.addToPolicy(PolicyStatement.Builder.create()
                .effect(Effect.DENY)
                .actions(List.of("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"))
                .resources(List.of(table.getTableArn()))
                .conditions(Map.of("ForAnyValue:StringLike", Map.of("dynamodb:LeadingKeys", List.of("ACL_AUTH#*"))))
                .build());
    }

    /**
     * The HTTP API's {@code $default} stage with a default route throttle ({@code -c throttleRate=},
     * {@code -c throttleBurst=}), so a flood of anonymous calls is cut off by API Gateway before it costs
     * Lambda invocations.
     */
    private void throttledDefaultStage() {
        HttpStage.Builder.create(this, "DefaultStage")
                .httpApi(api)
                .stageName("$default")
                .autoDeploy(true)
                .throttle(ThrottleSettings.builder()
                        .rateLimit(contextNumber(THROTTLE_RATE_CONTEXT, DEFAULT_THROTTLE_RATE))
                        .burstLimit(contextNumber(THROTTLE_BURST_CONTEXT, DEFAULT_THROTTLE_BURST))
                        .build())
                .build();
    }

    private int contextNumber(String key, int fallback) {
        Object value = getNode().tryGetContext(key);
        return value == null || value.toString().isBlank() ? fallback : Integer.parseInt(value.toString().trim());
    }

    /**
     * The custom resource that bootstraps ACLs at deploy time: it writes a fresh SecretID into the management
     * token secret (never into the template, an output or a log) and creates the management token with it, so
     * the API refuses anonymous calls from its first request and {@code PUT /v1/acl/bootstrap} answers 403.
     */
    private void bootstrapAcls() {
        Alias function = javaFunction(AclManagementTokenBootstrapFunction.class, Duration.seconds(60));
        managementToken.grantRead(function);
        managementToken.grantWrite(function);
        Provider provider = Provider.Builder.create(this, "AclBootstrapProvider")
                .onEventHandler(function)
                .build();
        CustomResource.Builder.create(this, "AclManagementTokenValue")
                .serviceToken(provider.getServiceToken())
                .properties(Map.of("SecretId", managementToken.getSecretArn()))
                .resourceType("Custom::AclManagementToken")
                .build();
    }

    /**
     * The identity bootstrap's artifact, {@code identity-bootstrap-lambda.jar}, beside {@code functions-lambda.jar}
     * (both built by the functions module's package phase).
     */
    static String identityBootstrapJar(String functionsJar) {
        return java.nio.file.Path.of(functionsJar).resolveSibling("identity-bootstrap-lambda.jar").toString();
    }

    /** The custom resource that writes the identity secret once; the only writer of the secret. */
    private void bootstrapIdentity() {
        String name = "IdentityBootstrap";
        LogGroup logs = logGroup(name);
        Role role = roleWritingTo(name, logs);
        identity.grantRead(role);
        identity.grantWrite(role);
        Function function = Function.Builder.create(this, name)
                .runtime(Runtime.JAVA_17)
                .architecture(Architecture.ARM_64)
                .memorySize(MEMORY_MB)
                .timeout(Duration.seconds(60))
                .code(identityBootstrapCode)
                .handler(ClusterIdentityBootstrapFunction.class.getName())
                .role(role)
                .logGroup(logs)
                .description("Cluster Peering " + datacenter + ": creates the cluster identity once")
                .build();
        Provider provider = Provider.Builder.create(this, name + "Provider")
                .onEventHandler(function)
                .build();
        CustomResource.Builder.create(this, "ClusterIdentityValue")
                .serviceToken(provider.getServiceToken())
                .properties(Map.of("SecretId", identity.getSecretArn()))
                .resourceType("Custom::ClusterIdentity")
                .build();
    }
}
