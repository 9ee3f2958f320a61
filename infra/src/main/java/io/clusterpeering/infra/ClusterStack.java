package io.clusterpeering.infra;

import io.clusterpeering.function.AclManagementTokenBootstrapFunction;
import io.clusterpeering.function.AgentConnectCaLeafFunction;
import io.clusterpeering.function.ClusterIdentityBootstrapFunction;
import io.clusterpeering.function.ExportStreamFunction;
import io.clusterpeering.function.HeartbeatFunction;
import io.clusterpeering.function.HeartbeatWorkerFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.function.Routes;
import io.clusterpeering.function.UnroutedFunction;
import io.clusterpeering.store.TableChanges;
import io.clusterpeering.store.TableKeys;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.customresources.Provider;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.StreamViewType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyDocument;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.lambda.Alias;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.FilterCriteria;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.lambda.SnapStartConf;
import software.amazon.awscdk.services.lambda.StartingPosition;
import software.amazon.awscdk.services.lambda.eventsources.DynamoEventSource;
import software.amazon.awscdk.services.lambda.eventsources.SqsDlq;
import software.amazon.awscdk.services.lambda.eventsources.SqsEventSource;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.sqs.DeadLetterQueue;
import software.amazon.awscdk.services.sqs.Queue;
import software.amazon.awscdk.services.sqs.QueueEncryption;
import software.constructs.Construct;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One cluster: an API Gateway HTTP API, or a REST API with {@code -c api=rest} ({@link ApiSettings},
 * {@link ApiFrontDoor}), whose routes are exactly {@link Routes#ALL}, one Lambda function per
 * route plus the stream handler and the heartbeat, the single DynamoDB table with its stream, the identity
 * secret, and the wiring between them. Two stacks with different datacenters are two peerable clusters. The
 * Peers page comes from S3 through CloudFront, which also forwards {@code /v1/*} to the API ({@link PeersPageHosting},
 * HTTP variant), or from S3 through the REST API itself at {@code /v1/ui/} ({@link PeersPageHosting}).
 *
 * <p>Where the resources go: the route functions and their API wiring are in one nested stack per
 * {@link RouteFamily} ({@link RouteFamilyStack}); this stack keeps the table, queues, secrets, key, the API itself with
 * its catch-all, the stream, heartbeat and bootstrap functions, the Peers page and the observability. So no template
 * comes near CloudFormation's 500 resources (each stays at most {@link RouteFamily#MAX_RESOURCES_PER_TEMPLATE}, infra
 * test {@code StackSizeTest}) as routes are added.
 *
 * <p>Every Java function: arm64, 1024 MB, SnapStart on published versions behind the alias {@code live}
 * (which API Gateway, the stream mapping and the schedule invoke), a log group with one month's retention,
 * and a role of its own holding only {@link FunctionAccess}'s grants plus writing to its own log group.
 * Every queue (the heartbeat queue, its dead-letter queue, the stream failure queue) is encrypted and refuses
 * requests without TLS.
 *
 * <p>Closed by default: ACLs are on with default policy {@code deny} (turning them off takes {@code -c acl=off}
 * and prints a warning at synth), a custom resource bootstraps them at deploy time with a management token whose
 * SecretID lives only in a Secrets Manager secret, a KMS key only the ACL functions may use (to encrypt and
 * decrypt, nothing else) seals SecretIDs at rest, and the API's default stage throttles requests.
 *
 * <p>cdk-nag's AWS Solutions checks find nothing on either variant (infra test {@code AwsSolutionsChecksTest}): the
 * findings that do not apply are suppressed with their reasons in {@link NagRuleSuppressions}.
 *
 * <p>Why one class of some 500 lines: it is the wiring of one stack, and each resource is a few lines of CDK calls
 * that name the others; the parts with a reason of their own to change are out of it already (the routes' API in
 * {@link ApiFrontDoor}, the Peers page's hosting in {@link PeersPageHosting}, grants in {@link FunctionAccess},
 * alarms and dashboard in {@code Observability}, cdk-nag and cfn-lint suppressions in their own classes).
 */
public class ClusterStack extends Stack {
    /** Memory of every Java function, in MB. */
    static final int MEMORY_MB = 1024;
    /**
     * The Lambda runtime of every Java function: java25 (Amazon Linux 2023), the JDK the project compiles and tests
     * with. java17 ran on Amazon Linux 2 and is refused since 2026-07-31 (cfn-lint E2533).
     */
    static final Runtime JAVA_RUNTIME = Runtime.JAVA_25;
    /** Attempts of a failing stream batch before it goes to the failure queue. */
    static final int STREAM_RETRY_ATTEMPTS = 5;

    /** Context key: {@code -c acl=off} deploys with ACLs off (a warning at synth); anything else keeps them on. */
    static final String ACL_CONTEXT = "acl";

    /** Consul's heartbeat interval, the delay between two steps of a peering's heartbeat chain. */
    static final java.time.Duration HEARTBEAT_INTERVAL = java.time.Duration.ofSeconds(15);
    /** Timeout of the heartbeat worker: a heartbeat and a resync of one peering. */
    static final int HEARTBEAT_WORKER_TIMEOUT_SECONDS = 60;
    /** Receives of a heartbeat message before it goes to the dead-letter queue. */
    static final int HEARTBEAT_MAX_RECEIVES = 3;
    /** Context key and default of the heartbeat workers' maximum concurrency (the bound on peerings beaten at once). */
    static final String HEARTBEAT_CONCURRENCY_CONTEXT = "heartbeatConcurrency";
    static final int DEFAULT_HEARTBEAT_CONCURRENCY = 50;
    /** The JVM flag that gives the functions JSON log lines, configured in code ({@code LambdaLogConfigurator}). */
    static final String LOG_FORMAT_FLAG = io.clusterpeering.function.LambdaLogConfigurator.FORMAT_PROPERTY + "=json";

    private final Table table;
    private Queue heartbeats;
    private Queue heartbeatDeadLetters;
    private final Secret identity;
    private final boolean aclEnabled;
    private final Key secretIdKey;
    private final Secret managementToken;
    private final ApiFrontDoor api;
    private final ApiSettings settings;
    /**
     * The functions' jar assets, one {@link Code} per stack and jar (CDK binds an asset to one stack): every
     * Micronaut function takes {@code functions-lambda.jar} but the Connect leaf function, which takes
     * {@code connect-leaf-lambda.jar}, the one with Bouncy Castle.
     */
    private final Map<List<Object>, Code> codeByStack = new HashMap<>();
    private final String functionsJar;
    private final Code identityBootstrapCode;
    private final String datacenter;
    /** The Java functions of this stack (not the route families' nested stacks), in the order made: its error alarms watch them. */
    private final List<Function> javaFunctions = new java.util.ArrayList<>();

    /**
     * @param scope        the app
     * @param id           the stack name, for example {@code cluster-peering-dc1}
     * @param props        account and region, or none for an environment-agnostic stack
     * @param datacenter   the cluster's datacenter name
     * @param functionsJar path of {@code functions-lambda.jar}, built by Maven (no Docker bundling); the identity
     *                     bootstrap's own {@code identity-bootstrap-lambda.jar} and the Connect leaf function's
     *                     {@code connect-leaf-lambda.jar} (the two jars with Bouncy Castle, which only they need)
     *                     are read from the same folder
     */
    public ClusterStack(Construct scope, String id, StackProps props, String datacenter, String functionsJar) {
        this(scope, id, props, datacenter, functionsJar, ApiSettings.DEFAULTS);
    }

    /**
     * @param scope        the app
     * @param id           the stack name, for example {@code cluster-peering-dc1}
     * @param props        account and region, or none for an environment-agnostic stack
     * @param datacenter   the cluster's datacenter name
     * @param functionsJar path of {@code functions-lambda.jar}, built by Maven (no Docker bundling)
     * @param settings     which API (HTTP or REST), its throttle, and whether the stack is for LocalStack
     */
    public ClusterStack(Construct scope, String id, StackProps props, String datacenter, String functionsJar,
                        ApiSettings settings) {
        super(scope, id, props);
        this.datacenter = datacenter;
        this.settings = settings;
        this.functionsJar = functionsJar;
        this.identityBootstrapCode = Code.fromAsset(identityBootstrapJar(functionsJar));

        table = Table.Builder.create(this, "Table")
                .partitionKey(Attribute.builder().name(TableKeys.PK).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(TableKeys.SK).type(AttributeType.STRING).build())
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true).build())
                .deletionProtection(true)
                .stream(StreamViewType.NEW_AND_OLD_IMAGES)
                .timeToLiveAttribute(TableKeys.EXPIRES_AT)
                .removalPolicy(RemovalPolicy.RETAIN)
                .build();

        heartbeatQueue();

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

        api = settings.variant() == ApiSettings.ApiVariant.REST
                ? new RestApiFrontDoor(this, datacenter, settings)
                : new HttpApiFrontDoor(this, datacenter, settings);
        api.connectUnrouted(javaFunction(UnroutedFunction.class, Duration.seconds(29)));
        // Each family's functions and API wiring in a nested stack of its own: a route costs some 8 resources, and
        // every template must stay well below CloudFormation's 500 (RouteFamily.MAX_RESOURCES_PER_TEMPLATE).
        List<IAlarm> familyErrorAlarms = new ArrayList<>();
        RouteFamily.group(Routes.ALL).forEach((family, routes) -> {
            RouteFamilyStack stack = new RouteFamilyStack(this, family, datacenter);
            Map<Routes.Route, IFunction> routed = new LinkedHashMap<>();
            for (Routes.Route route : routes) {
                routed.put(route, javaFunction(stack, stack.functions(), route.handler(), Duration.seconds(29)));
            }
            api.connect(stack, routed);
            familyErrorAlarms.addAll(Observability.functionErrorAlarms(stack, datacenter, stack.functions(),
                    familyErrorAlarms.size() + 1));
        });
        if (settings.variant() == ApiSettings.ApiVariant.REST) {
            PeersPageHosting.fromS3ThroughRestApi(this, datacenter, api);
        }

        Alias stream = javaFunction(PeeringStreamFunction.class, Duration.seconds(120));
        Queue failures = Queue.Builder.create(this, "StreamFailures")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        stream.addEventSource(DynamoEventSource.Builder.create(table)
                .startingPosition(StartingPosition.TRIM_HORIZON)
                .batchSize(10)
                .retryAttempts(STREAM_RETRY_ATTEMPTS)
                .bisectBatchOnError(true)
                .reportBatchItemFailures(true)
                .onFailure(new SqsDlq(failures))
                .filters(filters(TableChanges.deletionPatterns()))
                .build());

        Alias exports = javaFunction(ExportStreamFunction.class, Duration.seconds(120));
        exports.addEventSource(DynamoEventSource.Builder.create(table)
                .startingPosition(StartingPosition.LATEST)
                // No batching window: a change is one small update, sent as soon as its record arrives.
                .batchSize(100)
                .retryAttempts(STREAM_RETRY_ATTEMPTS)
                .bisectBatchOnError(true)
                .reportBatchItemFailures(true)
                .onFailure(new SqsDlq(failures))
                .filters(filters(TableChanges.exportPatterns()))
                .build());

        heartbeatFanOut();

        bootstrapIdentity();
        bootstrapAcls();
        new Observability(this, datacenter, javaFunctions, failures).build(familyErrorAlarms);
        if (settings.variant() == ApiSettings.ApiVariant.HTTP) {
            PeersPageHosting.throughCloudFront(this, datacenter, api);
        }

        CfnOutput.Builder.create(this, "ApiUrl").value(api.baseUrl())
                .description("Base URL of the cluster's Consul API: append /v1/... as it is").build();
        CfnOutput.Builder.create(this, "AclManagementTokenSecretArn").value(managementToken.getSecretArn())
                .description("Secrets Manager secret holding the initial ACL management token's SecretID").build();
        CfnOutput.Builder.create(this, "TableName").value(table.getTableName()).build();
        CfnOutput.Builder.create(this, "FailureQueueUrl").value(failures.getQueueUrl()).build();
        CfnLintSuppressions.applyTo(this);
        NagRuleSuppressions.applyTo(this, settings.variant());
    }

    /**
     * The heartbeat queue and its dead-letter queue, made before any function so that every function's
     * environment can name it. Messages are steps of per-peering heartbeat chains; a message that fails
     * {@link #HEARTBEAT_MAX_RECEIVES} times goes to the dead-letter queue (kept 14 days).
     */
    private void heartbeatQueue() {
        heartbeatDeadLetters = Queue.Builder.create(this, "HeartbeatDeadLetters")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .retentionPeriod(Duration.days(14))
                .build();
        heartbeats = Queue.Builder.create(this, "HeartbeatQueue")
                .encryption(QueueEncryption.SQS_MANAGED)
                .enforceSsl(true)
                .visibilityTimeout(Duration.seconds(6L * HEARTBEAT_WORKER_TIMEOUT_SECONDS))
                .retentionPeriod(Duration.hours(1))
                .deadLetterQueue(DeadLetterQueue.builder().queue(heartbeatDeadLetters)
                        .maxReceiveCount(HEARTBEAT_MAX_RECEIVES).build())
                .build();
    }

    /**
     * Heartbeats at Consul's cadence without a server: a one-minute EventBridge schedule runs
     * {@link HeartbeatFunction}, which starts a chain on the heartbeat queue for every connected peering that has
     * none alive; {@link HeartbeatWorkerFunction} takes each step (a heartbeat and a resync of one peering) and
     * enqueues the next with a 15 s delay. The workers' maximum concurrency ({@code -c heartbeatConcurrency=},
     * default 50) bounds how many peerings are beaten at once, so dead peers that each take the peer-call timeout
     * do not hold up the others.
     */
    private void heartbeatFanOut() {
        Alias tick = javaFunction(HeartbeatFunction.class, Duration.seconds(60));
        heartbeats.grantSendMessages(tick);
        Rule.Builder.create(this, "HeartbeatSchedule")
                .description("Starts heartbeat chains for connected peers (" + datacenter + ")")
                .schedule(Schedule.rate(Duration.minutes(1)))
                .targets(List.of(LambdaFunction.Builder.create(tick).retryAttempts(0).build()))
                .build();
        Alias worker = javaFunction(HeartbeatWorkerFunction.class, Duration.seconds(HEARTBEAT_WORKER_TIMEOUT_SECONDS));
        heartbeats.grantSendMessages(worker);
        worker.addEventSource(SqsEventSource.Builder.create(heartbeats)
                .batchSize(1)
                .maxConcurrency(ApiSettings.number(key -> getNode().tryGetContext(key), HEARTBEAT_CONCURRENCY_CONTEXT,
                        DEFAULT_HEARTBEAT_CONCURRENCY))
                .reportBatchItemFailures(true)
                .build());
        CfnOutput.Builder.create(this, "HeartbeatDeadLetterQueueUrl").value(heartbeatDeadLetters.getQueueUrl()).build();
    }

    /**
     * What wakes the export handler: a change of a local instance or node (not of the service heads and pointers
     * that change with them), of an exported-services entry, a dialer turning ACTIVE, or a peering's first
     * heartbeat. Heartbeats and imported data never wake it.
     */
    /** The stream filter patterns the store defines for a stream function ({@link TableChanges}), as CDK filters. */
    private static List<Map<String, Object>> filters(List<Map<String, Object>> patterns) {
        return patterns.stream().map(FilterCriteria::filter).toList();
    }

    /** As {@link #javaFunction(Construct, List, Class, Duration)}, in this stack. */
    private Alias javaFunction(Class<?> handler, Duration timeout) {
        return javaFunction(this, javaFunctions, handler, timeout);
    }

    /**
     * One Java function with its own role, log group, SnapStart version and {@code live} alias, all in {@code scope}
     * (this stack or a {@link RouteFamilyStack}), the function also added to {@code made}.
     *
     * @param scope   the stack the function's resources go to
     * @param made    the list of that stack's functions, whose errors its alarms watch
     * @param handler the handler class, whose {@link FunctionAccess} grants the role holds
     * @param timeout the function's timeout
     * @throws IllegalStateException when {@link FunctionAccess} declares no grants for the handler
     */
    private Alias javaFunction(Construct scope, List<Function> made, Class<?> handler, Duration timeout) {
        String name = handler.getSimpleName().replace("Function", "");
        FunctionAccess access = FunctionAccess.BY_HANDLER.get(handler);
        if (access == null) {
            throw new IllegalStateException("no grants are declared for " + handler.getName());
        }
        LogGroup logs = logGroup(scope, name);
        // The role's statements are inline in the role (one resource, not a role and a policy): the REST variant's
        // stack would otherwise pass CloudFormation's 500 resources. Grants that constructs add later (event
        // sources, queues, the ACL bootstrap's secret) still go to a separate policy of that role.
        PolicyDocument grants = new PolicyDocument();
        Role role = roleWritingTo(scope, name, logs, grants);
        grants.addStatements(PolicyStatement.Builder.create()
                .actions(access.tableActions().stream().map(a -> "dynamodb:" + a).toList())
                .resources(List.of(table.getTableArn()))
                .build());
        if (access.deletesUnder() != null) {
            grants.addStatements(PolicyStatement.Builder.create()
                    .actions(List.of("dynamodb:DeleteItem"))
                    .resources(List.of(table.getTableArn()))
                    .conditions(Map.of("ForAllValues:StringLike",
                            Map.of("dynamodb:LeadingKeys", List.of(access.deletesUnder() + "*"))))
                    .build());
        }
        if (FunctionAccess.APPENDS_AUDIT.contains(handler)) {
            grants.addStatements(PolicyStatement.Builder.create()
                    .actions(List.of("dynamodb:PutItem"))
                    .resources(List.of(table.getTableArn()))
                    .conditions(Map.of("ForAllValues:StringLike", Map.of("dynamodb:LeadingKeys", List.of("AUDIT#*"))))
                    .build());
        }
        if (access.readsIdentity()) {
            // What Secret.grantRead grants (the secret uses the account's aws/secretsmanager key).
            grants.addStatements(PolicyStatement.Builder.create()
                    .actions(List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"))
                    .resources(List.of(identity.getSecretArn()))
                    .build());
        }
        if (FunctionAccess.WRITES_IDENTITY.contains(handler)) {
            grants.addStatements(PolicyStatement.Builder.create()
                    .actions(List.of("secretsmanager:PutSecretValue"))
                    .resources(List.of(identity.getSecretArn()))
                    .build());
        }
        if (access.aclAdmin()) {
            // Exactly what KmsSecretSealer calls (grantEncryptDecrypt would add kms:ReEncrypt* and kms:GenerateDataKey*);
            // the key policy trusts the account, so the role's own statement is enough.
            grants.addStatements(PolicyStatement.Builder.create()
                    .actions(List.of("kms:Encrypt", "kms:Decrypt"))
                    .resources(List.of(secretIdKey.getKeyArn()))
                    .build());
        } else {
            denyAclItems(grants);
        }
        Function function = Function.Builder.create(scope, name)
                .runtime(JAVA_RUNTIME)
                .architecture(Architecture.ARM_64)
                .memorySize(MEMORY_MB)
                .timeout(timeout)
                .code(codeOf(Stack.of(scope), handler))
                .handler(handler.getName())
                .role(role)
                .logGroup(logs)
                .snapStart(SnapStartConf.ON_PUBLISHED_VERSIONS)
                .environment(environment())
                .description("Cluster Peering " + datacenter + ": " + handler.getSimpleName())
                .build();
        made.add(function);
        Annotations.of(function).acknowledgeWarning("@aws-cdk/aws-lambda:snapStartRequirePublish",
                "every version is published: the live alias points at the function's current version");
        return Alias.Builder.create(scope, name + "Live")
                .aliasName("live")
                .version(function.getCurrentVersion())
                .build();
    }

    /** A function's log group in this stack: one month's retention, removed with the stack. */
    LogGroup logGroup(String name) {
        return logGroup(this, name);
    }

    /** As {@link #logGroup(String)}, in {@code scope}. */
    private static LogGroup logGroup(Construct scope, String name) {
        return LogGroup.Builder.create(scope, name + "Logs")
                .retention(RetentionDays.ONE_MONTH)
                .removalPolicy(RemovalPolicy.DESTROY)
                .build();
    }

    /**
     * A function's own role: assumable by Lambda, with {@code grants} as its inline policy, which first allows
     * only writing to its log group (what LogGroup.grantWrite grants) until more statements are added.
     */
    Role roleWritingTo(String name, LogGroup logs) {
        return roleWritingTo(this, name, logs, new PolicyDocument());
    }

    /** As {@link #roleWritingTo(String, LogGroup)}, in {@code scope}, with the statements of {@code grants} inline. */
    private Role roleWritingTo(Construct scope, String name, LogGroup logs, PolicyDocument grants) {
        grants.addStatements(PolicyStatement.Builder.create()
                .actions(List.of("logs:CreateLogStream", "logs:PutLogEvents"))
                .resources(List.of(logs.getLogGroupArn()))
                .build());
        return Role.Builder.create(scope, name + "Role")
                .assumedBy(new ServicePrincipal("lambda.amazonaws.com"))
                .description("Cluster Peering " + datacenter + ": " + name + " only")
                .inlinePolicies(Map.of("Grants", grants))
                .build();
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("PEERING_DATACENTER", datacenter);
        environment.put("PEERING_ADVERTISE_URL", api.baseUrl());
        environment.put("PEERING_DYNAMODB_TABLE_NAME", table.getTableName());
        environment.put("PEERING_DYNAMODB_REGION", Aws.REGION);
        environment.put("PEERING_IDENTITY_SOURCE", "secrets-manager");
        environment.put("PEERING_IDENTITY_SECRET_ID", identity.getSecretArn());
        // Consul's cadence: a heartbeat every 15 s (per-peering chains on the heartbeat queue, delayed 15 s a step),
        // FAILING after two silent minutes.
        environment.put("PEERING_HEARTBEAT_INTERVAL", HEARTBEAT_INTERVAL.toSeconds() + "s");
        environment.put("PEERING_HEARTBEAT_TIMEOUT", "2m");
        environment.put("PEERING_HEARTBEAT_QUEUE_URL", heartbeats.getQueueUrl());
        // API Gateway ends a request after 30 s: blocking queries wait at most 25 s.
        environment.put("PEERING_MAX_BLOCKING_WAIT", "25s");
        environment.put("PEERING_ACL_ENABLED", Boolean.toString(aclEnabled));
        environment.put("PEERING_ACL_DEFAULT_POLICY", "deny");
        // Metrics go to CloudWatch as Embedded Metric Format lines in the function's own log group.
        environment.put("PEERING_METRICS_EMF", "true");
        environment.put("PEERING_ACL_KMS_KEY_ID", secretIdKey.getKeyArn());
        environment.put("JAVA_TOOL_OPTIONS", "-XX:+TieredCompilation -XX:TieredStopAtLevel=1 "
                + "-D" + LOG_FORMAT_FLAG);
        if (settings.onLocalStack()) {
            // LocalStack starts each Java function in a fresh container without SnapStart: a peer's first answer can
            // take several seconds, so wait longer than the 5 s default (still within API Gateway's 29 s).
            environment.put("PEERING_PEER_CALL_TIMEOUT", "20s");
        }
        return environment;
    }

    /**
     * What keeps a function that is not an ACL function away from ACL items: no access at all to {@code ACL#}
     * items (tokens with their sealed SecretIDs, policies), and no write under {@code ACL_AUTH#} (the token-check
     * items it reads). Explicit denies, so that no later grant can open them.
     */
    private void denyAclItems(PolicyDocument grants) {
        grants.addStatements(PolicyStatement.Builder.create()
                .effect(Effect.DENY)
                .actions(List.of("dynamodb:*"))
                .resources(List.of(table.getTableArn()))
                .conditions(Map.of("ForAnyValue:StringLike", Map.of("dynamodb:LeadingKeys", List.of(TableKeys.ACL_PREFIX + "*"))))
                .build());
        grants.addStatements(PolicyStatement.Builder.create()
                .effect(Effect.DENY)
                .actions(List.of("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"))
                .resources(List.of(table.getTableArn()))
                .conditions(Map.of("ForAnyValue:StringLike", Map.of("dynamodb:LeadingKeys", List.of(TableKeys.ACL_AUTH_PREFIX + "*"))))
                .build());
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

    /** The jar asset of a function in a stack (see {@link #codeByStack}). */
    private Code codeOf(Stack stack, Class<?> handler) {
        String jar = handler == AgentConnectCaLeafFunction.class || handler == io.clusterpeering.function.CaRotateFunction.class
                ? siblingJar(functionsJar, "connect-leaf-lambda.jar")
                : functionsJar;
        return codeByStack.computeIfAbsent(List.of(stack, jar), key -> Code.fromAsset(jar));
    }

    /**
     * The identity bootstrap's artifact, {@code identity-bootstrap-lambda.jar}, beside {@code functions-lambda.jar}
     * (both built by the functions module's package phase).
     */
    static String identityBootstrapJar(String functionsJar) {
        return siblingJar(functionsJar, "identity-bootstrap-lambda.jar");
    }

    /** Another artifact of the functions module's package phase, beside {@code functions-lambda.jar}. */
    static String siblingJar(String functionsJar, String name) {
        return java.nio.file.Path.of(functionsJar).resolveSibling(name).toString();
    }

    /** The custom resource that writes the identity secret once; the only writer of the secret. */
    private void bootstrapIdentity() {
        String name = "IdentityBootstrap";
        LogGroup logs = logGroup(name);
        Role role = roleWritingTo(name, logs);
        identity.grantRead(role);
        identity.grantWrite(role);
        Function function = Function.Builder.create(this, name)
                .runtime(JAVA_RUNTIME)
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
