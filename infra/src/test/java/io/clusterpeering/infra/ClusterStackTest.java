package io.clusterpeering.infra;

import io.clusterpeering.function.AclManagementTokenBootstrapFunction;
import io.clusterpeering.function.ClusterIdentityBootstrapFunction;
import io.clusterpeering.function.HeartbeatFunction;
import io.clusterpeering.function.HeartbeatWorkerFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.function.Routes;
import io.clusterpeering.infra.ApiSettings.ApiVariant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.yaml.snakeyaml.Yaml;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Assertions on the synthesized template of one cluster stack (CDK assertions library, no AWS account):
 * routes against the OpenAPI document, one function per endpoint, each role's exact grants, the stream
 * mapping, SnapStart, the table's protections, no wildcard that is not needed, and the Peers page's bucket,
 * distribution and deployment (HTTP variant) or bucket, S3 integrations, their role and deployment (REST variant,
 * tests named rest...). Every other assertion runs for both variants of the stack: the HTTP API (default) and the
 * REST API ({@code -c api=rest}).
 */
@ParameterizedClass(name = "{0}")
@EnumSource(ApiVariant.class)
class ClusterStackTest {
    private static final Path FUNCTIONS_JAR = Path.of("..", "functions", "target", "functions-lambda.jar");
    /** The cluster stack with its nested stacks inlined ({@link StackTemplates}): what most assertions read. */
    private static Template template;
    /** The cluster stack's own template, its route families being {@code AWS::CloudFormation::Stack} resources. */
    private static Template parentTemplate;
    private static Map<String, Map<String, Object>> resources;
    private static Path assemblyDir;

    @Parameter
    ApiVariant variant;

    @BeforeParameterizedClassInvocation
    static void synthesize(ApiVariant variant) {
        ClusterStack stack = stack(variant, false);
        parentTemplate = Template.fromStack(stack);
        template = flatTemplate(stack);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> all = (Map<String, Map<String, Object>>) (Map<?, ?>) template.toJSON().get("Resources");
        resources = all;
    }

    private static Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> found = new HashMap<>();
        resources.forEach((id, resource) -> {
            if (type.equals(resource.get("Type"))) {
                found.put(id, resource);
            }
        });
        return found;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> properties(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("Properties");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theApiHasExactlyTheRoutesOfTheOpenApiDocument() throws IOException {
        Set<String> documented = new TreeSet<>();
        try (Reader reader = Files.newBufferedReader(Path.of("..", "openapi", "peering.yaml"))) {
            Map<String, Object> document = new Yaml().load(reader);
            ((Map<String, Map<String, Object>>) document.get("paths")).forEach((path, operations) ->
                    operations.keySet().stream().filter(m -> Set.of("get", "post", "put", "delete", "patch").contains(m))
                            .forEach(method -> documented.add(method.toUpperCase() + " " + path)));
        }
        if (variant == ApiVariant.REST) {
            // The Peers page (GET /v1/ui and below, read from S3) is not part of Consul's API: it is in neither the
            // OpenAPI document nor the route table, so it is left out of this agreement on purpose; the
            // restThePagesRoutes... test below checks it.
            Set<String> deployed = ApiTemplate.restRoutes(resources).keySet().stream()
                    .filter(key -> !ApiTemplate.isPeersPage(key))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertEquals(documented, deployed);
            assertFalse(documented.stream().anyMatch(ApiTemplate::isPeersPage), "Consul's API has nothing under /v1/ui");
            return;
        }
        Set<String> deployed = ofType("AWS::ApiGatewayV2::Route").values().stream()
                .map(route -> properties(route).get("RouteKey").toString())
                .filter(key -> !key.equals("ANY /{proxy+}"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(documented, deployed);
        template.hasResourceProperties("AWS::ApiGatewayV2::Route", Map.of("RouteKey", "ANY /{proxy+}"));
        template.hasResourceProperties("AWS::ApiGatewayV2::Api", Map.of("ProtocolType", "HTTP"));
        template.allResourcesProperties("AWS::ApiGatewayV2::Integration", Map.of("PayloadFormatVersion", "2.0",
                "IntegrationType", "AWS_PROXY"));
    }

    @Test
    void eachRouteGoesToItsOwnFunctionAndEverythingElseToTheCatchAll() {
        String unrouted = io.clusterpeering.function.UnroutedFunction.class.getName();
        Map<String, String> handlerByRoute = variant == ApiVariant.REST
                ? ApiTemplate.restRoutes(resources) : ApiTemplate.httpRoutes(resources);
        Routes.ALL.forEach(route -> assertEquals(route.handler().getName(),
                handlerByRoute.get(route.method() + " " + route.path()), route.method() + " " + route.path()));
        if (variant == ApiVariant.HTTP) {
            assertEquals(unrouted, handlerByRoute.get("ANY /{proxy+}"), "$default goes to the catch-all");
        } else {
            Map<String, String> catchAll = ApiTemplate.restAnyMethods(resources);
            assertEquals(ApiTemplate.restResourcePaths(resources), catchAll.keySet(), "every resource, the root and "
                    + "/{proxy+} take ANY, so an unknown method gets Consul's 405, not API Gateway's 403");
            assertTrue(catchAll.containsKey("/v1/{proxy+}") && catchAll.containsKey("/v1"), catchAll.keySet().toString());
            catchAll.values().forEach(handler -> assertEquals(unrouted, handler));
            // Every method is a Lambda proxy integration, but the Peers page's GETs, which read S3 (checked below).
            handlerByRoute.forEach((key, target) -> assertEquals(ApiTemplate.isPeersPage(key),
                    target.startsWith(ApiTemplate.S3_OBJECT), key + " -> " + target));
            ofType("AWS::ApiGateway::Method").values().forEach(method -> {
                Map<String, Object> p = properties(method);
                Map<?, ?> integration = (Map<?, ?>) p.get("Integration");
                assertEquals("NONE", p.get("AuthorizationType"));
                if ("AWS".equals(integration.get("Type"))) {
                    assertEquals("GET", p.get("HttpMethod"));
                } else {
                    assertEquals("AWS_PROXY", integration.get("Type"));
                    assertEquals("POST", integration.get("IntegrationHttpMethod"));
                }
            });
            template.hasResourceProperties("AWS::ApiGateway::RestApi", Map.of("EndpointConfiguration",
                    Map.of("Types", List.of("REGIONAL"))));
            template.resourceCountIs("AWS::ApiGateway::Account", 0);
            // The families' methods are in nested stacks: the stage's deployment is made after all of them.
            Map<String, Object> parent = parentTemplate.toJSON();
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> own = (Map<String, Map<String, Object>>) parent.get("Resources");
            Set<String> families = own.entrySet().stream()
                    .filter(e -> "AWS::CloudFormation::Stack".equals(e.getValue().get("Type")))
                    .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(RouteFamily.values().length, families.size(), families.toString());
            own.values().stream().filter(r -> "AWS::ApiGateway::Deployment".equals(r.get("Type"))).forEach(deployment ->
                    assertTrue(((List<?>) deployment.get("DependsOn")).containsAll(families), "deployment after " + families));
        }
    }

    @Test
    void restTheApiTreatsEveryMediaTypeAsBinarySoGzippedAnswersLeaveAsBytes() {
        if (variant == ApiVariant.REST) {
            template.hasResourceProperties("AWS::ApiGateway::RestApi", Map.of("BinaryMediaTypes", List.of("*/*")));
        } else {
            // An HTTP API has no such setting: it decodes a Lambda answer's isBase64Encoded body itself.
            template.resourceCountIs("AWS::ApiGateway::RestApi", 0);
        }
    }

    @Test
    void theApiIsThrottledWithTheSharedSetting() {
        if (variant == ApiVariant.REST) {
            template.hasResourceProperties("AWS::ApiGateway::Stage", Map.of("StageName", RestApiFrontDoor.STAGE,
                    "MethodSettings", List.of(Map.of("HttpMethod", "*", "ResourcePath", "/*",
                            "ThrottlingRateLimit", ApiSettings.DEFAULT_THROTTLE_RATE,
                            "ThrottlingBurstLimit", ApiSettings.DEFAULT_THROTTLE_BURST, "DataTraceEnabled", false))));
        } else {
            template.hasResourceProperties("AWS::ApiGatewayV2::Stage", Map.of("StageName", "$default",
                    "DefaultRouteSettings", Map.of("ThrottlingRateLimit", ApiSettings.DEFAULT_THROTTLE_RATE,
                            "ThrottlingBurstLimit", ApiSettings.DEFAULT_THROTTLE_BURST)));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyFunctionAdvertisesTheApisBareBaseUrlWhichIsAlsoTheStacksOutput() {
        Object url = ((Map<String, Object>) template.toJSON().get("Outputs")).get("ApiUrl");
        Object advertised = ((Map<String, Object>) url).get("Value");
        javaFunctions().values().stream().filter(f -> properties(f).containsKey("Environment")).forEach(f -> {
            Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) properties(f).get("Environment"))
                    .get("Variables");
            assertEquals(advertised, variables.get("PEERING_ADVERTISE_URL"), properties(f).get("Handler").toString());
            assertFalse(variables.containsKey("PEERING_PEER_CALL_TIMEOUT"), "AWS keeps the default peer call timeout");
        });
        String text = advertised.toString();
        assertTrue(variant == ApiVariant.HTTP ? text.contains("ApiEndpoint")
                : text.contains("https://") && text.contains(".execute-api."), text);
        assertFalse(text.contains("/v1") || text.contains("Stage"), "no stage path: tokens carry host:port only " + text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void onLocalStackTheUrlIsLocalStacksExecuteApiHostAndPeerCallsWaitLonger() {
        Template local = flatTemplate(stack(variant, true));
        Object url = ((Map<String, Object>) ((Map<String, Object>) local.toJSON().get("Outputs")).get("ApiUrl")).get("Value");
        assertTrue(url.toString().contains("http://") && url.toString().contains(".execute-api.localhost.localstack.cloud:4566"),
                url.toString());
        local.hasResourceProperties("AWS::Lambda::Function", Map.of("Handler",
                io.clusterpeering.function.EstablishFunction.class.getName(), "Environment", Map.of("Variables",
                        Match.objectLike(Map.of("PEERING_ADVERTISE_URL", url, "PEERING_PEER_CALL_TIMEOUT", "20s")))));
    }

    /**
     * The stack's synthesized template with its route families' nested stacks inlined ({@link StackTemplates}), so
     * that every assertion sees the cluster's resources wherever they are deployed.
     */
    private static Template flatTemplate(ClusterStack stack) {
        Template.fromStack(stack);
        return Template.fromJSON(StackTemplates.flattened(Path.of(((App) stack.getNode().getRoot()).getOutdir()),
                stack.getStackName()));
    }

    private static ClusterStack stack(ApiVariant variant, boolean onLocalStack) {
        assertTrue(Files.isRegularFile(FUNCTIONS_JAR), "build the functions jar first: mvn package (or verify)");
        App app = new App();
        assemblyDir = Path.of(app.getOutdir());
        return new ClusterStack(app, "cluster-peering-dc1", StackProps.builder().build(), "dc1",
                FUNCTIONS_JAR.toString(), new ApiSettings(variant, ApiSettings.DEFAULT_THROTTLE_RATE,
                        ApiSettings.DEFAULT_THROTTLE_BURST, onLocalStack));
    }

    @Test
    void thereIsOneFunctionPerEndpointPlusTheStreamHeartbeatAndBootstrapHandlers() {
        List<String> handlers = javaFunctions().values().stream().map(f -> properties(f).get("Handler").toString())
                .sorted().toList();
        List<String> expected = new ArrayList<>(Routes.ALL.stream().map(r -> r.handler().getName()).toList());
        expected.add(PeeringStreamFunction.class.getName());
        expected.add(io.clusterpeering.function.ExportStreamFunction.class.getName());
        expected.add(HeartbeatFunction.class.getName());
        expected.add(io.clusterpeering.function.HeartbeatWorkerFunction.class.getName());
        expected.add(ClusterIdentityBootstrapFunction.class.getName());
        expected.add(AclManagementTokenBootstrapFunction.class.getName());
        expected.addAll(FallbackNames.HANDLERS);
        assertEquals(expected.stream().sorted().toList(), handlers, "one function each, none shared");
    }

    @Test
    void onlyTheIdentityBootstrapTheConnectLeafAndTheCaRotateFunctionsShipJarsWithBouncyCastle() {
        Map<Object, List<String>> handlersByCode = new HashMap<>();
        javaFunctions().forEach((id, function) -> handlersByCode.computeIfAbsent(properties(function).get("Code"),
                code -> new ArrayList<>()).add(properties(function).get("Handler").toString()));
        assertEquals(3, handlersByCode.size(),
                "three artifacts: functions-lambda.jar, connect-leaf-lambda.jar and identity-bootstrap-lambda.jar");
        assertTrue(handlersByCode.values().contains(List.of(ClusterIdentityBootstrapFunction.class.getName())),
                "the identity bootstrap alone runs from its own jar: " + handlersByCode.values());
        assertTrue(handlersByCode.values().stream().anyMatch(handlers -> new java.util.TreeSet<>(handlers).equals(
                        new java.util.TreeSet<>(List.of(io.clusterpeering.function.AgentConnectCaLeafFunction.class.getName(),
                                io.clusterpeering.function.CaRotateFunction.class.getName())))),
                "the Connect leaf and the CA rotate functions alone run from the jar with Bouncy Castle (they make "
                        + "certificates): " + handlersByCode.values());
    }

    @Test
    void everyJavaFunctionIsArm64With1024MbAndSnapStartBehindAnAlias() {
        javaFunctions().forEach((id, function) -> {
            Map<String, Object> p = properties(function);
            assertEquals(List.of("arm64"), p.get("Architectures"), id);
            assertTrue(((Number) p.get("MemorySize")).intValue() >= 1024, id);
            assertTrue(p.containsKey("LoggingConfig"), id + " logs to its own log group");
            if (!p.get("Handler").equals(ClusterIdentityBootstrapFunction.class.getName())) {
                assertEquals(Map.of("ApplyOn", "PublishedVersions"), p.get("SnapStart"), id);
            }
        });
        int snapStarted = javaFunctions().size() - 1;
        template.resourceCountIs("AWS::Lambda::Alias", snapStarted);
        template.allResourcesProperties("AWS::Lambda::Alias", Map.of("Name", "live"));
        template.allResourcesProperties("AWS::Logs::LogGroup", Map.of("RetentionInDays", 30));
        assertFalse(template.toJSON().toString().contains("docker"), "no Docker bundling: the jar comes from Maven");
    }

    @Test
    void eachRoleHoldsExactlyItsFunctionsTableGrants() {
        Map<String, Set<String>> actionsByHandler = tableActionsByHandler();
        FunctionAccess.BY_HANDLER.forEach((handler, access) -> {
            Set<String> expected = access.tableActions().stream().map(a -> "dynamodb:" + a)
                    .collect(Collectors.toCollection(TreeSet::new));
            if (access.deletesUnder() != null) {
                expected.add("dynamodb:DeleteItem");
            }
            if (FunctionAccess.APPENDS_AUDIT.contains(handler)) {
                expected.add("dynamodb:PutItem");
            }
            assertEquals(expected, actionsByHandler.get(handler.getName()), handler.getSimpleName());
        });
        Set<String> writes = Set.of("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem");
        for (Class<?> reader : List.of(io.clusterpeering.function.ReadPeeringFunction.class,
                io.clusterpeering.function.ListPeeringsFunction.class, io.clusterpeering.function.AgentSelfFunction.class)) {
            assertTrue(actionsByHandler.get(reader.getName()).stream().noneMatch(writes::contains), reader + " cannot write");
        }
        unconditionalDeletesByHandler().forEach((handler, deletes) -> assertEquals(
                handler.equals(PeeringStreamFunction.class.getName()), deletes,
                "only the deleting stream handler may delete anywhere (imported data, peering rows): " + handler));
    }

    @Test
    @SuppressWarnings("unchecked")
    void localDeletesAreLimitedToTheirOwnKeys() {
        Map<String, Set<String>> byHandler = new HashMap<>();
        forEachStatementByHandler((handler, statement) -> {
            if (!"Deny".equals(statement.get("Effect"))
                    && asList(statement.get("Action")).equals(List.of("dynamodb:DeleteItem")) && statement.containsKey("Condition")) {
                Map<String, Object> condition = (Map<String, Object>) ((Map<String, Object>) statement.get("Condition"))
                        .get("ForAllValues:StringLike");
                byHandler.computeIfAbsent(handler, h -> new TreeSet<>()).addAll(asList(condition.get("dynamodb:LeadingKeys")));
            }
        });
        Map<String, Set<String>> expected = new HashMap<>();
        FunctionAccess.BY_HANDLER.forEach((handler, access) -> {
            if (access.deletesUnder() != null) {
                expected.put(handler.getName(), Set.of(access.deletesUnder() + "*"));
            }
        });
        assertEquals(expected, byHandler);
        assertEquals(Set.of("CATALOG#*"), byHandler.get(io.clusterpeering.function.CatalogDeregisterFunction.class.getName()));
        assertEquals(Set.of("CONFIG#*"), byHandler.get(io.clusterpeering.function.ConfigDeleteFunction.class.getName()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void onlyTheAclFunctionsMayTouchAclItemsOrUseTheSecretIdKey() {
        Map<String, Set<String>> deniedPrefixes = new HashMap<>();
        Map<String, Boolean> usesKey = new HashMap<>();
        forEachStatementByHandler((handler, statement) -> {
            List<String> actions = asList(statement.get("Action"));
            if ("Deny".equals(statement.get("Effect"))) {
                Map<String, Object> condition = (Map<String, Object>) ((Map<String, Object>) statement.get("Condition"))
                        .get("ForAnyValue:StringLike");
                asList(condition.get("dynamodb:LeadingKeys")).forEach(prefix -> deniedPrefixes
                        .computeIfAbsent(handler, h -> new TreeSet<>()).add(prefix + " " + actions));
            }
            if (actions.contains("kms:Decrypt") || actions.contains("kms:Encrypt")) {
                usesKey.put(handler, true);
            }
        });
        String denyAll = "ACL#* [dynamodb:*]";
        String denyWrites = "ACL_AUTH#* [dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:DeleteItem, dynamodb:BatchWriteItem]";
        FunctionAccess.BY_HANDLER.forEach((handler, access) -> {
            String name = handler.getName();
            assertEquals(access.aclAdmin(), usesKey.getOrDefault(name, false), "the SecretID key: " + handler.getSimpleName());
            assertEquals(access.aclAdmin() ? Set.of() : Set.of(denyAll, denyWrites), deniedPrefixes.getOrDefault(name, Set.of()),
                    "ACL items: " + handler.getSimpleName());
        });
        Routes.ALL.forEach(route -> assertEquals(route.acl().aclApi(), FunctionAccess.BY_HANDLER.get(route.handler()).aclAdmin(),
                "exactly the ACL API's functions are ACL functions: " + route.path()));
    }

    @Test
    void aclsAreOnWithDefaultDenyAndTheManagementTokenIsMadeAtDeployTime() {
        javaFunctions().forEach((id, function) -> {
            if (properties(function).get("Handler").equals(ClusterIdentityBootstrapFunction.class.getName())) {
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) properties(function)
                    .get("Environment")).get("Variables");
            assertEquals("true", variables.get("PEERING_ACL_ENABLED"), id);
            assertEquals("deny", variables.get("PEERING_ACL_DEFAULT_POLICY"), id);
            assertTrue(variables.containsKey("PEERING_ACL_KMS_KEY_ID"), id);
        });
        template.resourceCountIs("Custom::AclManagementToken", 1);
        template.hasResourceProperties("AWS::SecretsManager::Secret", Map.of(
                "Description", Match.stringLikeRegexp(".*initial ACL management token.*"),
                "GenerateSecretString", Match.anyValue()));
        ofType("AWS::SecretsManager::Secret").forEach((id, secret) ->
                assertFalse(properties(secret).containsKey("SecretString"), id + ": no secret value in the template"));
        String uuid = "(?s).*[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}.*";
        assertFalse(String.valueOf(template.toJSON().get("Outputs")).matches(uuid), "no SecretID in an output");
        ofType("Custom::AclManagementToken").forEach((id, resource) ->
                assertFalse(properties(resource).toString().matches(uuid), "no SecretID given to the custom resource"));
        ofType("AWS::Lambda::Function").forEach((id, function) ->
                assertFalse(String.valueOf(properties(function).get("Environment")).matches(uuid), id + ": no SecretID in the environment"));
        template.hasResourceProperties("AWS::KMS::Key", Map.of("EnableKeyRotation", true));
    }

    @Test
    void turningAclsOffTakesAnExplicitFlagAndWarnsAtSynth() {
        App app = App.Builder.create().context(Map.of(ClusterStack.ACL_CONTEXT, "off")).build();
        ClusterStack open = new ClusterStack(app, "cluster-peering-open", StackProps.builder().build(), "open",
                FUNCTIONS_JAR.toString());
        Template openTemplate = flatTemplate(open);
        openTemplate.allResourcesProperties("AWS::Lambda::Function", Match.objectLike(Map.of()));
        assertTrue(openTemplate.toJSON().toString().contains("PEERING_ACL_ENABLED=false"));
        software.amazon.awscdk.assertions.Annotations.fromStack(open)
                .hasWarning("*", Match.stringLikeRegexp("ACLs are OFF.*"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void auditEventsAreAppendedOnlyUnderTheirOwnKeysByTheFunctionsWhoseUseCasesRecordThem() {
        Map<String, Set<String>> auditPuts = new HashMap<>();
        Map<String, Boolean> unconditionalPut = new HashMap<>();
        forEachStatementByHandler((handler, statement) -> {
            if ("Deny".equals(statement.get("Effect")) || !asList(statement.get("Action")).contains("dynamodb:PutItem")) {
                return;
            }
            if (statement.containsKey("Condition")) {
                Map<String, Object> condition = (Map<String, Object>) ((Map<String, Object>) statement.get("Condition"))
                        .get("ForAllValues:StringLike");
                auditPuts.computeIfAbsent(handler, h -> new TreeSet<>()).addAll(asList(condition.get("dynamodb:LeadingKeys")));
            } else {
                unconditionalPut.put(handler, true);
            }
        });
        Set<String> expected = FunctionAccess.APPENDS_AUDIT.stream().map(Class::getName).collect(Collectors.toSet());
        assertEquals(expected, auditPuts.keySet());
        auditPuts.values().forEach(prefixes -> assertEquals(Set.of("AUDIT#*"), prefixes));
        assertFalse(unconditionalPut.getOrDefault(HeartbeatWorkerFunction.class.getName(), false),
                "the heartbeat worker (which records FAILING and recovery) writes items only under AUDIT#");
    }

    @Test
    @SuppressWarnings("unchecked")
    void metricsGoOutAsEmfLinesWithNothingButLogGroupWrite() {
        javaFunctions().forEach((id, function) -> {
            Map<String, Object> p = properties(function);
            if (p.get("Handler").equals(ClusterIdentityBootstrapFunction.class.getName())) {
                return;
            }
            Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) p.get("Environment")).get("Variables");
            assertEquals("true", variables.get("PEERING_METRICS_EMF"), id);
        });
        allActionsByHandler().forEach((handler, actions) -> {
            assertTrue(actions.stream().noneMatch(a -> a.startsWith("cloudwatch:")), handler + " needs no CloudWatch API");
            assertTrue(actions.contains("logs:PutLogEvents"), handler + " writes its own log group, which carries the EMF");
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDashboardShowsHealthLatencyLagPurgesRefusalsFunctionErrorsAndTheFailureQueue() {
        Map<String, Map<String, Object>> dashboards = ofType("AWS::CloudWatch::Dashboard");
        assertEquals(1, dashboards.size());
        Map<String, Object> dashboard = properties(dashboards.values().iterator().next());
        assertEquals("cluster-peering-dc1", dashboard.get("DashboardName"));
        String body = String.valueOf(dashboard.get("DashboardBody"));
        for (String shown : List.of("consul.peering.healthy", "consul.peering.exported_services",
                "consul.peering.imported_services", "cluster_peering.heartbeat.rtt_p50_ms",
                "cluster_peering.heartbeat.rtt_p99_ms", "cluster_peering.replication.lag_ms",
                "cluster_peering.establish.duration_ms", "cluster_peering.establish.refused_tokens",
                "cluster_peering.purge.items_per_second", "ApproximateNumberOfMessagesVisible",
                "ClusterPeering", "alarm")) {
            assertTrue(body.contains(shown), shown + " is on the dashboard");
        }
        // Function errors: each group alarm's graph (the sum of its functions' Lambda Errors), by the alarm's ARN.
        ofType("AWS::CloudWatch::Alarm").forEach((id, alarm) -> {
            if (properties(alarm).get("Metrics") != null) {
                assertTrue(body.contains("[\"" + id + "\",\"Arn\"]") || body.contains(id), id + " is on the dashboard");
            }
        });
        assertTrue(template.toJSON().get("Outputs").toString().contains("DashboardUrl"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void alarmsWatchAFailingPeeringTheFailureQueueAndEveryFunctionsErrors() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "ClusterPeering", "MetricName", "consul.peering.healthy",
                "Dimensions", List.of(Map.of("Name", "datacenter", "Value", "dc1")),
                "Statistic", "Minimum", "ComparisonOperator", "LessThanThreshold", "Threshold", 1,
                "TreatMissingData", "notBreaching"));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "Namespace", "AWS/SQS", "MetricName", "ApproximateNumberOfMessagesVisible",
                "ComparisonOperator", "GreaterThanThreshold", "Threshold", 0,
                "Dimensions", List.of(Match.objectLike(Map.of("Name", "QueueName")))));
        Set<String> watched = new TreeSet<>();
        List<String> groupAlarms = new ArrayList<>();
        ofType("AWS::CloudWatch::Alarm").forEach((id, alarm) -> {
            Object metrics = properties(alarm).get("Metrics");
            if (metrics == null) {
                return;
            }
            int errorMetrics = 0;
            for (Map<String, Object> query : (List<Map<String, Object>>) metrics) {
                Map<String, Object> stat = (Map<String, Object>) query.get("MetricStat");
                if (stat != null) {
                    Map<String, Object> metric = (Map<String, Object>) stat.get("Metric");
                    assertEquals("Errors", metric.get("MetricName"));
                    for (Map<String, Object> dimension : (List<Map<String, Object>>) metric.get("Dimensions")) {
                        watched.add(String.valueOf(((Map<String, Object>) dimension.get("Value")).get("Ref")));
                    }
                    errorMetrics++;
                }
            }
            assertTrue(errorMetrics <= 10, id + ": CloudWatch allows 10 metrics in one math alarm");
            groupAlarms.add(id);
        });
        assertEquals(javaFunctions().keySet().stream().filter(id -> !properties(javaFunctions().get(id)).get("Handler")
                .equals(ClusterIdentityBootstrapFunction.class.getName())).collect(Collectors.toCollection(TreeSet::new)),
                watched, "every Java function's errors are watched");
        Map<String, Map<String, Object>> composites = ofType("AWS::CloudWatch::CompositeAlarm");
        assertEquals(1, composites.size());
        String rule = String.valueOf(properties(composites.values().iterator().next()).get("AlarmRule"));
        groupAlarms.forEach(id -> assertTrue(rule.contains(id), "the composite alarm covers " + id));
    }

    /** Calls back with each statement of each Java function's role, by handler class name. */
    @SuppressWarnings("unchecked")
    private static void forEachStatementByHandler(java.util.function.BiConsumer<String, Map<String, Object>> each) {
        Map<String, List<Map<String, Object>>> byRole = new HashMap<>();
        for (Map<String, Object> policy : iamPolicies()) {
            for (Object role : (List<Object>) properties(policy).get("Roles")) {
                byRole.computeIfAbsent(((Map<String, String>) role).get("Ref"), r -> new ArrayList<>()).addAll(statements(policy));
            }
        }
        javaFunctions().values().forEach(f -> {
            Map<String, Object> role = (Map<String, Object>) properties(f).get("Role");
            String roleId = ((List<Object>) role.get("Fn::GetAtt")).get(0).toString();
            byRole.getOrDefault(roleId, List.of()).forEach(st -> each.accept(properties(f).get("Handler").toString(), st));
        });
    }

    /** For each handler: whether its role may delete or batch-write without a key condition. */
    @SuppressWarnings("unchecked")
    private static Map<String, Boolean> unconditionalDeletesByHandler() {
        Map<String, Boolean> byRole = new HashMap<>();
        for (Map<String, Object> policy : iamPolicies()) {
            boolean deletes = statements(policy).stream().anyMatch(st -> !"Deny".equals(st.get("Effect"))
                    && !st.containsKey("Condition")
                    && (asList(st.get("Action")).contains("dynamodb:DeleteItem")
                    || asList(st.get("Action")).contains("dynamodb:BatchWriteItem")));
            for (Object role : (List<Object>) properties(policy).get("Roles")) {
                byRole.merge(((Map<String, String>) role).get("Ref"), deletes, Boolean::logicalOr);
            }
        }
        Map<String, Boolean> byHandler = new HashMap<>();
        javaFunctions().values().forEach(f -> {
            Map<String, Object> role = (Map<String, Object>) properties(f).get("Role");
            String roleId = ((List<Object>) role.get("Fn::GetAtt")).get(0).toString();
            String handler = properties(f).get("Handler").toString();
            if (!handler.equals(ClusterIdentityBootstrapFunction.class.getName())) {
                byHandler.put(handler, byRole.getOrDefault(roleId, false));
            }
        });
        return byHandler;
    }

    @Test
    void onlyTheFunctionsThatSignReadTheIdentitySecretAndOnlyTheBootstrapAndTheRotationWriteIt() {
        Map<String, Set<String>> actions = allActionsByHandler();
        Map<String, Boolean> readsIdentity = new HashMap<>();
        forEachStatementByHandler((handler, statement) -> {
            if (asList(statement.get("Action")).contains("secretsmanager:GetSecretValue")
                    && String.valueOf(statement.get("Resource")).contains("ClusterIdentity")) {
                readsIdentity.put(handler, true);
            }
        });
        FunctionAccess.BY_HANDLER.forEach((handler, access) -> assertEquals(access.readsIdentity(),
                readsIdentity.getOrDefault(handler.getName(), false), handler.getSimpleName()));
        actions.forEach((handler, granted) -> assertEquals(handler.equals(ClusterIdentityBootstrapFunction.class.getName())
                        || handler.equals(AclManagementTokenBootstrapFunction.class.getName())
                        || FunctionAccess.WRITES_IDENTITY.stream().anyMatch(c -> c.getName().equals(handler)),
                granted.contains("secretsmanager:PutSecretValue"), handler));
        forEachStatementByHandler((handler, statement) -> {
            if (asList(statement.get("Action")).contains("secretsmanager:PutSecretValue")) {
                String secret = handler.equals(AclManagementTokenBootstrapFunction.class.getName()) ? "AclManagementToken"
                        : "ClusterIdentity";
                assertTrue(String.valueOf(statement.get("Resource")).contains(secret), handler + " writes only its own secret");
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void noStatementGrantsEverythingOrAnyResourceItDoesNotNeed() {
        for (Map<String, Object> policy : iamPolicies()) {
            for (Map<String, Object> statement : statements(policy)) {
                List<String> actions = asList(statement.get("Action"));
                if ("Deny".equals(statement.get("Effect"))) {
                    continue;
                }
                assertFalse(actions.contains("*") || actions.stream().anyMatch(a -> a.endsWith(":*")), statement.toString());
                if (asList(statement.get("Resource")).contains("*")) {
                    assertEquals(List.of("dynamodb:ListStreams"), actions,
                            "only ListStreams, which has no resource-level permissions, may name *: " + statement);
                }
            }
        }
        // Only the two custom-resource provider frameworks' own roles carry a managed policy (basic execution).
        template.resourcePropertiesCountIs("AWS::IAM::Role",
                Map.of("ManagedPolicyArns", Match.anyValue()), 2);
    }

    @Test
    void theStreamMappingsAreFilteredBoundedBisectedAndHaveAFailureQueue() {
        template.resourceCountIs("AWS::Lambda::EventSourceMapping", 3);
        Object finishing = Map.of("Pattern", Match.serializedJson(Map.of("eventName", List.of("MODIFY"),
                "dynamodb", Map.of("NewImage", Map.of("state", Map.of("S", List.of("DELETING", "TERMINATED")))))));
        Object unexported = Map.of("Pattern", Match.serializedJson(Map.of(
                "dynamodb", Map.of("Keys", Map.of("pk", Map.of("S", List.of(Map.of("prefix", "IMPORTED#"))),
                                "sk", Map.of("S", List.of(Map.of("prefix", "SERVICE#")))),
                        "NewImage", Map.of("exported", Map.of("BOOL", List.of(false)))))));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "StartingPosition", "TRIM_HORIZON",
                "MaximumRetryAttempts", ClusterStack.STREAM_RETRY_ATTEMPTS,
                "BisectBatchOnFunctionError", true,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination", Match.anyValue())),
                "FilterCriteria", Map.of("Filters", List.of(finishing, unexported))));
        Object catalogChanges = Map.of("Pattern", Match.serializedJson(Map.of(
                "dynamodb", Map.of("Keys", Map.of("pk", Map.of("S", List.of(Map.of("prefix", "CATALOG#"))),
                        "sk", Map.of("S", List.of(Map.of("prefix", "SERVICE#"))))))));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "MaximumRetryAttempts", ClusterStack.STREAM_RETRY_ATTEMPTS,
                "BisectBatchOnFunctionError", true,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination", Match.anyValue())),
                "FilterCriteria", Map.of("Filters", Match.arrayWith(List.of(catalogChanges)))));
        template.resourceCountIs("AWS::SQS::Queue", 3);
    }

    @Test
    void theTableIsOnDemandWithPitrDeletionProtectionAndANewAndOldImageStream() {
        template.hasResourceProperties("AWS::DynamoDB::Table", Map.of(
                "BillingMode", "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification", Map.of("PointInTimeRecoveryEnabled", true),
                "DeletionProtectionEnabled", true,
                "StreamSpecification", Map.of("StreamViewType", "NEW_AND_OLD_IMAGES")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void heartbeatsFanOutThroughAQueueWithADeadLetterQueueAndBoundedWorkers() {
        // The one-minute tick targets the scheduler function's alias.
        template.hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "rate(1 minute)",
                "State", "ENABLED"));
        // The queue: visibility six times the worker's timeout, failing messages to a dead-letter queue.
        template.hasResourceProperties("AWS::SQS::Queue", Map.of(
                "VisibilityTimeout", 6 * ClusterStack.HEARTBEAT_WORKER_TIMEOUT_SECONDS,
                "RedrivePolicy", Map.of("deadLetterTargetArn", Match.anyValue(),
                        "maxReceiveCount", ClusterStack.HEARTBEAT_MAX_RECEIVES)));
        // The worker: one message at a time per invocation, a bounded number of invocations at once.
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "BatchSize", 1,
                "ScalingConfig", Map.of("MaximumConcurrency", ClusterStack.DEFAULT_HEARTBEAT_CONCURRENCY),
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "EventSourceArn", Match.anyValue()));
        // Only the tick and the worker may send to the heartbeat queue; only the worker consumes it.
        Map<String, Set<String>> onHeartbeatQueue = new HashMap<>();
        forEachStatementByHandler((handler, statement) -> {
            if (String.valueOf(statement.get("Resource")).contains("HeartbeatQueue")) {
                onHeartbeatQueue.computeIfAbsent(handler, h -> new TreeSet<>()).addAll(asList(statement.get("Action")));
            }
        });
        javaFunctions().values().forEach(f -> {
            String handler = properties(f).get("Handler").toString();
            Set<String> granted = onHeartbeatQueue.getOrDefault(handler, Set.of());
            boolean worker = handler.equals(io.clusterpeering.function.HeartbeatWorkerFunction.class.getName());
            boolean heartbeat = worker || handler.equals(HeartbeatFunction.class.getName());
            assertEquals(heartbeat, granted.contains("sqs:SendMessage"), handler + " sends heartbeat messages");
            assertEquals(worker, granted.contains("sqs:ReceiveMessage") && granted.contains("sqs:DeleteMessage"),
                    handler + " consumes heartbeat messages");
        });
        // Consul's cadence: a heartbeat every 15 s, FAILING after two silent minutes; every function knows the queue.
        javaFunctions().forEach((id, function) -> {
            if (properties(function).get("Handler").equals(ClusterIdentityBootstrapFunction.class.getName())) {
                return;
            }
            Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) properties(function)
                    .get("Environment")).get("Variables");
            assertEquals("15s", variables.get("PEERING_HEARTBEAT_INTERVAL"), id);
            assertEquals("2m", variables.get("PEERING_HEARTBEAT_TIMEOUT"), id);
            assertTrue(variables.containsKey("PEERING_HEARTBEAT_QUEUE_URL"), id);
        });
    }

    @Test
    void theIdentityIsBootstrappedOnceByACustomResource() {
        template.resourceCountIs("Custom::ClusterIdentity", 1);
        template.resourceCountIs("AWS::SecretsManager::Secret", 2);
    }

    /** Both variants keep the page's files in one private, S3-encrypted, versioned bucket. */
    private void assertThePeersPageBucketIsPrivateEncryptedAndVersioned() {
        template.resourceCountIs("AWS::S3::Bucket", 1);
        template.hasResourceProperties("AWS::S3::Bucket", Map.of(
                "PublicAccessBlockConfiguration", Map.of("BlockPublicAcls", true, "BlockPublicPolicy", true,
                        "IgnorePublicAcls", true, "RestrictPublicBuckets", true),
                "BucketEncryption", Map.of("ServerSideEncryptionConfiguration", List.of(Map.of(
                        "ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
                "VersioningConfiguration", Map.of("Status", "Enabled")));
    }

    @Test
    void thePeersPageBucketIsPrivateEncryptedVersionedAndRefusesPlainHttp() {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.HTTP, "the REST variant has no CloudFront");
        assertThePeersPageBucketIsPrivateEncryptedAndVersioned();
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                Match.objectLike(Map.of("Effect", "Deny", "Principal", Map.of("AWS", "*"),
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))),
                Match.objectLike(Map.of("Effect", "Allow", "Action", "s3:GetObject",
                        "Principal", Map.of("Service", "cloudfront.amazonaws.com"),
                        "Condition", Map.of("StringEquals", Map.of("AWS:SourceArn", Match.anyValue())))))))));
        template.hasResourceProperties("AWS::CloudFront::OriginAccessControl", Map.of("OriginAccessControlConfig",
                Map.of("OriginAccessControlOriginType", "s3", "SigningBehavior", "always", "SigningProtocol", "sigv4",
                        "Name", Match.anyValue())));
    }

    @Test
    @SuppressWarnings("unchecked")
    void cloudFrontServesThePageAndForwardsV1ToTheApiUncachedWithEveryHeaderAndQueryString() {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.HTTP, "the REST variant has no CloudFront");
        template.resourceCountIs("AWS::CloudFront::Distribution", 1);
        Map<String, Object> config = (Map<String, Object>) properties(ofType("AWS::CloudFront::Distribution").values()
                .iterator().next()).get("DistributionConfig");
        Map<String, Object> page = (Map<String, Object>) config.get("DefaultCacheBehavior");
        assertEquals("redirect-to-https", page.get("ViewerProtocolPolicy"));
        assertEquals("viewer-request", ((List<Map<String, Object>>) page.get("FunctionAssociations")).get(0).get("EventType"));
        assertTrue(page.containsKey("ResponseHeadersPolicyId"));

        List<Map<String, Object>> behaviors = (List<Map<String, Object>>) config.get("CacheBehaviors");
        assertEquals(1, behaviors.size());
        Map<String, Object> api = behaviors.get(0);
        assertEquals("/v1/*", api.get("PathPattern"));
        assertEquals("https-only", api.get("ViewerProtocolPolicy"));
        assertEquals(Set.of("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"), Set.copyOf((List<String>) api.get("AllowedMethods")));
        // AWS's managed policies: CachingDisabled, and AllViewerExceptHostHeader (every header but Host, every
        // query string, every cookie).
        assertEquals("4135ea2d-6df8-44a3-9df3-4b5a84be39ad", api.get("CachePolicyId"));
        assertEquals("b689b0a8-53d0-40ab-baf2-68738e2966ac", api.get("OriginRequestPolicyId"));

        List<Map<String, Object>> origins = (List<Map<String, Object>>) config.get("Origins");
        Map<String, Object> apiOrigin = origins.stream().filter(o -> o.get("Id").equals(api.get("TargetOriginId"))).findFirst().orElseThrow();
        assertEquals("https-only", ((Map<String, Object>) apiOrigin.get("CustomOriginConfig")).get("OriginProtocolPolicy"));
        // The HTTP API's own host: Fn::Select(2, Fn::Split("/", ApiEndpoint)).
        List<Object> select = (List<Object>) ((Map<String, Object>) apiOrigin.get("DomainName")).get("Fn::Select");
        assertEquals(2, ((Number) select.get(0)).intValue());
        assertTrue(select.get(1).toString().contains("Fn::Split") && select.get(1).toString().contains("ApiEndpoint"), select.toString());
        Map<String, Object> pageOrigin = origins.stream().filter(o -> o.get("Id").equals(page.get("TargetOriginId"))).findFirst().orElseThrow();
        assertTrue(pageOrigin.containsKey("OriginAccessControlId"), "S3 through an Origin Access Control");
        assertTrue(pageOrigin.containsKey("S3OriginConfig"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void thePagesRoutesAnswerIndexHtmlAndItsHeadersForbidOtherOrigins() {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.HTTP, "the REST variant has no CloudFront");
        Map<String, Object> function = ofType("AWS::CloudFront::Function").values().iterator().next();
        String code = properties(function).get("FunctionCode").toString();
        assertTrue(code.contains("request.uri = '/ui/index.html'"), code);
        assertTrue(code.contains("location: { value: '/ui/' }"), code);
        assertEquals("cloudfront-js-2.0", ((Map<String, Object>) properties(function).get("FunctionConfig")).get("Runtime"));
        template.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", Map.of("ResponseHeadersPolicyConfig",
                Match.objectLike(Map.of("SecurityHeadersConfig", Match.objectLike(Map.of(
                        "ContentSecurityPolicy", Map.of("ContentSecurityPolicy", PeersPageHosting.UI_CONTENT_SECURITY_POLICY, "Override", true),
                        "FrameOptions", Map.of("FrameOption", "DENY", "Override", true)))))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDeploymentShipsThePageFilesOnlyUnderUiAndThePageUrlIsAnOutput() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.HTTP, "the REST variant has no CloudFront");
        Map<String, Object> deployment = ofType("Custom::CDKBucketDeployment").values().iterator().next();
        Map<String, Object> p = properties(deployment);
        assertEquals("ui/", p.get("DestinationBucketKeyPrefix"));
        assertEquals(true, p.get("Prune"));
        assertEquals(Map.of("cache-control", "no-cache"), p.get("SystemMetadata"));

        String zip = ((List<Object>) p.get("SourceObjectKeys")).get(0).toString();
        Path staged = assemblyDir.resolve("asset." + zip.replace(".zip", ""));
        Path ui = Path.of("..", "ui");
        Set<String> expected = new TreeSet<>(List.of("index.html", "favicon.svg"));
        for (String folder : List.of("css", "js")) {
            try (var files = Files.walk(ui.resolve(folder))) {
                files.filter(Files::isRegularFile).forEach(f -> expected.add(ui.relativize(f).toString()));
            }
        }
        Set<String> shipped;
        try (var files = Files.walk(staged)) {
            shipped = files.filter(Files::isRegularFile).map(f -> staged.relativize(f).toString())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        assertEquals(expected, shipped, "the page, not its test tooling (package.json, tests/, node_modules/, docs/)");

        Map<String, Object> outputs = (Map<String, Object>) template.toJSON().get("Outputs");
        assertTrue(outputs.get("PeersPageUrl").toString().contains("DomainName"), outputs.get("PeersPageUrl").toString());
    }

    @Test
    void restThePeersPageBucketIsPrivateEncryptedVersionedAndRefusesPlainHttp() {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.REST, "the HTTP variant's is tested above");
        assertThePeersPageBucketIsPrivateEncryptedAndVersioned();
        // The bucket's policy only refuses plain HTTP: it lets nobody in (API Gateway reads through its role).
        template.hasResourceProperties("AWS::S3::BucketPolicy", Map.of("PolicyDocument", Map.of("Statement", List.of(
                Match.objectLike(Map.of("Effect", "Deny", "Principal", Map.of("AWS", "*"),
                        "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false"))))))));
        template.resourceCountIs("AWS::CloudFront::Distribution", 0);
    }

    @Test
    @SuppressWarnings("unchecked")
    void restTheS3IntegrationRoleIsApiGatewaysOnlyAndMayOnlyGetThePagesObjects() {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.REST, "the HTTP variant reads S3 through CloudFront");
        Map<String, Map<String, Object>> apiGatewayRoles = new HashMap<>();
        ofType("AWS::IAM::Role").forEach((id, role) -> {
            if (properties(role).get("AssumeRolePolicyDocument").toString().contains("apigateway.amazonaws.com")) {
                apiGatewayRoles.put(id, role);
            }
        });
        assertEquals(1, apiGatewayRoles.size(), apiGatewayRoles.keySet().toString());
        String roleId = apiGatewayRoles.keySet().iterator().next();
        Map<String, Object> trust = (Map<String, Object>) properties(apiGatewayRoles.get(roleId)).get("AssumeRolePolicyDocument");
        assertEquals(List.of(Map.of("Action", "sts:AssumeRole", "Effect", "Allow",
                "Principal", Map.of("Service", "apigateway.amazonaws.com"))), trust.get("Statement"));
        assertFalse(properties(apiGatewayRoles.get(roleId)).containsKey("ManagedPolicyArns"));

        List<Map<String, Object>> granted = new ArrayList<>();
        for (Map<String, Object> policy : iamPolicies()) {
            if (((List<Object>) properties(policy).get("Roles")).contains(Map.of("Ref", roleId))) {
                granted.addAll(statements(policy));
            }
        }
        String bucketId = ofType("AWS::S3::Bucket").keySet().iterator().next();
        assertEquals(List.of(Map.of("Action", "s3:GetObject", "Effect", "Allow", "Resource", Map.of("Fn::Join",
                List.of("", List.of(Map.of("Fn::GetAtt", List.of(bucketId, "Arn")), "/ui/*"))))), granted);

        ofType("AWS::ApiGateway::Method").values().stream()
                .map(method -> (Map<String, Object>) properties(method).get("Integration"))
                .filter(integration -> "AWS".equals(integration.get("Type")))
                .forEach(integration -> assertEquals(Map.of("Fn::GetAtt", List.of(roleId, "Arn")),
                        integration.get("Credentials")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void restThePagesRoutesAnswerIndexHtmlItsFilesTheirObjectsWithTheirContentTypeAndItsHeaders() {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.REST, "the HTTP variant routes in CloudFront");
        String bucket = "${" + ofType("AWS::S3::Bucket").keySet().iterator().next() + "}";
        Map<String, String> page = new java.util.TreeMap<>();
        ApiTemplate.restRoutes(resources).forEach((key, target) -> {
            if (ApiTemplate.isPeersPage(key)) {
                page.put(key, target);
            }
        });
        String index = ApiTemplate.S3_OBJECT + bucket + "/ui/index.html";
        assertEquals(new java.util.TreeMap<>(Map.of(
                "GET /v1/ui", index,
                "GET /v1/ui/{proxy+}", index,
                "GET /v1/ui/css", index,
                "GET /v1/ui/css/{proxy+}", ApiTemplate.S3_OBJECT + bucket + "/ui/css/{proxy}",
                "GET /v1/ui/js", index,
                "GET /v1/ui/js/{proxy+}", ApiTemplate.S3_OBJECT + bucket + "/ui/js/{proxy}",
                "GET /v1/ui/favicon.svg", ApiTemplate.S3_OBJECT + bucket + "/ui/favicon.svg")), page);

        String restApiId = ofType("AWS::ApiGateway::RestApi").keySet().iterator().next();
        List<Map<String, Object>> s3Methods = ofType("AWS::ApiGateway::Method").values().stream()
                .map(ClusterStackTest::properties)
                .filter(p -> "AWS".equals(((Map<String, Object>) p.get("Integration")).get("Type")))
                .toList();
        assertEquals(page.size(), s3Methods.size());
        for (Map<String, Object> method : s3Methods) {
            Map<String, Object> integration = (Map<String, Object>) method.get("Integration");
            assertEquals("GET", integration.get("IntegrationHttpMethod"));
            boolean proxy = ((Map<String, Object>) integration.getOrDefault("RequestParameters", Map.of()))
                    .equals(Map.of("integration.request.path.proxy", "method.request.path.proxy"));
            assertEquals(proxy, integration.toString().contains("{proxy}"), "a {proxy} key takes the path's proxy");
            List<Map<String, Object>> responses = (List<Map<String, Object>>) integration.get("IntegrationResponses");
            Map<String, Object> ok = responses.stream().filter(r -> !r.containsKey("SelectionPattern")).findFirst().orElseThrow();
            assertEquals("200", ok.get("StatusCode"));
            Map<String, Object> headers = (Map<String, Object>) ok.get("ResponseParameters");
            assertEquals("integration.response.header.Content-Type", headers.get("method.response.header.Content-Type"),
                    "S3's Content-Type passes through");
            assertEquals("integration.response.header.Cache-Control", headers.get("method.response.header.Cache-Control"));
            assertEquals("'nosniff'", headers.get("method.response.header.X-Content-Type-Options"));
            assertEquals("'DENY'", headers.get("method.response.header.X-Frame-Options"));
            String csp = headers.get("method.response.header.Content-Security-Policy").toString();
            assertTrue(csp.contains("'default-src ") && csp.contains(restApiId) && csp.contains(".execute-api.")
                    && !csp.contains("*"), "the page's own origin, nothing else: " + csp);
            assertEquals(Map.of("4\\d{2}", "404", "5\\d{2}", "502"), responses.stream()
                    .filter(r -> r.containsKey("SelectionPattern"))
                    .collect(Collectors.toMap(r -> r.get("SelectionPattern").toString(), r -> r.get("StatusCode").toString())),
                    "a missing file (S3's 403 without ListBucket) is a 404, an S3 failure a 502");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void restTheDeploymentShipsThePageWithIndexHtmlMadeForV1UiAndThePageUrlIsAnOutput() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(variant == ApiVariant.REST, "the HTTP variant's is tested above");
        Map<String, Object> deployment = ofType("Custom::CDKBucketDeployment").values().iterator().next();
        Map<String, Object> p = properties(deployment);
        assertEquals("ui/", p.get("DestinationBucketKeyPrefix"));
        assertEquals(true, p.get("Prune"));
        assertEquals(Map.of("cache-control", "no-cache"), p.get("SystemMetadata"));

        Map<String, String> shipped = new java.util.TreeMap<>();
        for (Object zip : (List<Object>) p.get("SourceObjectKeys")) {
            Path staged = assemblyDir.resolve("asset." + zip.toString().replace(".zip", ""));
            try (var files = Files.walk(staged)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    assertEquals(null, shipped.put(staged.relativize(file).toString(), Files.readString(file)),
                            "one source per file: " + file);
                }
            }
        }
        Path ui = Path.of("..", "ui");
        Set<String> expected = new TreeSet<>(List.of("index.html", "favicon.svg"));
        for (String folder : List.of("css", "js")) {
            try (var files = Files.walk(ui.resolve(folder))) {
                files.filter(Files::isRegularFile).forEach(f -> expected.add(ui.relativize(f).toString()));
            }
        }
        assertEquals(expected, shipped.keySet(), "the page, not its test tooling");
        String index = shipped.get("index.html");
        assertEquals(PeersPageHosting.indexHtmlServedAt(Files.readString(ui.resolve("index.html")), "/v1/ui/"), index);
        assertTrue(index.contains("<script type=\"module\" src=\"/v1/ui/js/app.js\">"), index);
        assertTrue(index.contains("<link rel=\"stylesheet\" href=\"/v1/ui/css/peers.css\">"), index);
        assertFalse(index.contains("=\"/ui/"), "nothing left at /ui/, which is no path of the REST API");
        assertEquals(Files.readString(ui.resolve("js/app.js")), shipped.get("js/app.js"), "every other file as it is");

        Map<String, Object> outputs = (Map<String, Object>) template.toJSON().get("Outputs");
        Object url = ((Map<String, Object>) outputs.get("PeersPageUrl")).get("Value");
        Object api = ((Map<String, Object>) outputs.get("ApiUrl")).get("Value");
        assertTrue(url.toString().contains(".execute-api.") && url.toString().endsWith("/v1/ui/]]}"), url.toString());
        assertTrue(url.toString().startsWith(api.toString().replaceAll("]]}$", "")), url + " is " + api + "/v1/ui/");
    }

    @Test
    void aPageThatDoesNotLoadItsScriptFromUiCannotBeServedElsewhere() {
        String html = "<script type=\"module\" src=\"/ui/js/app.js\"></script><a href=\"/ui/\">x</a>";
        assertEquals("<script type=\"module\" src=\"/v1/ui/js/app.js\"></script><a href=\"/v1/ui/\">x</a>",
                PeersPageHosting.indexHtmlServedAt(html, "/v1/ui/"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> PeersPageHosting.indexHtmlServedAt("<script src=\"js/app.js\"></script>", "/v1/ui/"));
    }

    /** Java functions of ours, by logical ID (the provider framework adds a Node.js one). */
    private static Map<String, Map<String, Object>> javaFunctions() {
        Map<String, Map<String, Object>> functions = new HashMap<>();
        ofType("AWS::Lambda::Function").forEach((id, f) -> {
            if (ClusterStack.JAVA_RUNTIME.getName().equals(properties(f).get("Runtime"))) {
                functions.put(id, f);
            }
        });
        return functions;
    }

    private static Map<String, Set<String>> tableActionsByHandler() {
        Map<String, Set<String>> result = new HashMap<>();
        allActionsByHandler().forEach((handler, actions) -> result.put(handler, actions.stream()
                .filter(a -> a.startsWith("dynamodb:") && !a.equals("dynamodb:ListStreams")
                        && !a.equals("dynamodb:DescribeStream") && !a.equals("dynamodb:GetRecords")
                        && !a.equals("dynamodb:GetShardIterator"))
                .collect(Collectors.toCollection(TreeSet::new))));
        return result;
    }

    /** Every action granted to each Java function's role, by handler class name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Set<String>> allActionsByHandler() {
        Map<String, Set<String>> byRole = new HashMap<>();
        for (Map<String, Object> policy : iamPolicies()) {
            for (Object role : (List<Object>) properties(policy).get("Roles")) {
                String roleId = ((Map<String, String>) role).get("Ref");
                Set<String> actions = byRole.computeIfAbsent(roleId, r -> new TreeSet<>());
                statements(policy).stream().filter(s -> !"Deny".equals(s.get("Effect")))
                        .forEach(s -> actions.addAll(asList(s.get("Action"))));
            }
        }
        Map<String, Set<String>> byHandler = new HashMap<>();
        javaFunctions().values().forEach(f -> {
            Map<String, Object> role = (Map<String, Object>) properties(f).get("Role");
            String roleId = ((List<Object>) role.get("Fn::GetAtt")).get(0).toString();
            byHandler.put(properties(f).get("Handler").toString(), byRole.getOrDefault(roleId, Set.of()));
        });
        return byHandler;
    }

    /**
     * Every IAM policy of the template in {@code AWS::IAM::Policy}'s shape ({@code PolicyDocument}, {@code Roles}):
     * the policy resources, and each role's inline policies (the Java functions' own grants are inline).
     */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> iamPolicies() {
        List<Map<String, Object>> policies = new ArrayList<>(ofType("AWS::IAM::Policy").values());
        ofType("AWS::IAM::Role").forEach((roleId, role) -> {
            Object inline = properties(role).get("Policies");
            if (inline instanceof List<?> list) {
                for (Object policy : list) {
                    policies.add(Map.of("Properties", Map.of(
                            "PolicyDocument", ((Map<String, Object>) policy).get("PolicyDocument"),
                            "Roles", List.of(Map.of("Ref", roleId)))));
                }
            }
        });
        return policies;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Map<String, Object> policy) {
        Map<String, Object> document = (Map<String, Object>) properties(policy).get("PolicyDocument");
        return (List<Map<String, Object>>) document.get("Statement");
    }

    @SuppressWarnings("unchecked")
    private static List<String> asList(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }

    /** Handlers beyond the route table that answer over HTTP: the catch-all with Consul's 404 and 405. */
    private static final class FallbackNames {
        static final List<String> HANDLERS = List.of(io.clusterpeering.function.UnroutedFunction.class.getName());
    }
}
