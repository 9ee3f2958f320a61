package io.clusterpeering.infra;

import io.clusterpeering.function.AclManagementTokenBootstrapFunction;
import io.clusterpeering.function.ClusterIdentityBootstrapFunction;
import io.clusterpeering.function.HeartbeatFunction;
import io.clusterpeering.function.PeeringStreamFunction;
import io.clusterpeering.function.Routes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
 * mapping, SnapStart, the table's protections, and no wildcard that is not needed.
 */
class ClusterStackTest {
    private static final Path FUNCTIONS_JAR = Path.of("..", "functions", "target", "functions-lambda.jar");
    private static Template template;
    private static Map<String, Map<String, Object>> resources;

    @BeforeAll
    static void synthesize() {
        assertTrue(Files.isRegularFile(FUNCTIONS_JAR), "build the functions jar first: mvn package (or verify)");
        App app = new App();
        ClusterStack stack = new ClusterStack(app, "cluster-peering-dc1", StackProps.builder().build(), "dc1",
                FUNCTIONS_JAR.toString());
        template = Template.fromStack(stack);
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
    void thereIsOneFunctionPerEndpointPlusTheStreamHeartbeatAndBootstrapHandlers() {
        List<String> handlers = javaFunctions().values().stream().map(f -> properties(f).get("Handler").toString())
                .sorted().toList();
        List<String> expected = new ArrayList<>(Routes.ALL.stream().map(r -> r.handler().getName()).toList());
        expected.add(PeeringStreamFunction.class.getName());
        expected.add(io.clusterpeering.function.ExportStreamFunction.class.getName());
        expected.add(HeartbeatFunction.class.getName());
        expected.add(ClusterIdentityBootstrapFunction.class.getName());
        expected.add(AclManagementTokenBootstrapFunction.class.getName());
        expected.addAll(FallbackNames.HANDLERS);
        assertEquals(expected.stream().sorted().toList(), handlers, "one function each, none shared");
    }

    @Test
    void onlyTheIdentityBootstrapShipsTheJarWithBouncyCastle() {
        Map<Object, List<String>> handlersByCode = new HashMap<>();
        javaFunctions().forEach((id, function) -> handlersByCode.computeIfAbsent(properties(function).get("Code"),
                code -> new ArrayList<>()).add(properties(function).get("Handler").toString()));
        assertEquals(2, handlersByCode.size(), "two artifacts: functions-lambda.jar and identity-bootstrap-lambda.jar");
        assertTrue(handlersByCode.values().contains(List.of(ClusterIdentityBootstrapFunction.class.getName())),
                "the identity bootstrap alone runs from its own jar: " + handlersByCode.values());
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
        String json = template.toJSON().toString();
        assertFalse(json.matches("(?s).*[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}.*"),
                "no UUID (a SecretID) anywhere in the template");
        template.hasResourceProperties("AWS::KMS::Key", Map.of("EnableKeyRotation", true));
    }

    @Test
    void theApiThrottlesEveryRouteByDefault() {
        template.hasResourceProperties("AWS::ApiGatewayV2::Stage", Map.of("StageName", "$default", "AutoDeploy", true,
                "DefaultRouteSettings", Map.of("ThrottlingRateLimit", ClusterStack.DEFAULT_THROTTLE_RATE,
                        "ThrottlingBurstLimit", ClusterStack.DEFAULT_THROTTLE_BURST)));
    }

    @Test
    void turningAclsOffTakesAnExplicitFlagAndWarnsAtSynth() {
        App app = App.Builder.create().context(Map.of(ClusterStack.ACL_CONTEXT, "off")).build();
        ClusterStack open = new ClusterStack(app, "cluster-peering-open", StackProps.builder().build(), "open",
                FUNCTIONS_JAR.toString());
        Template openTemplate = Template.fromStack(open);
        openTemplate.allResourcesProperties("AWS::Lambda::Function", Match.objectLike(Map.of()));
        assertTrue(openTemplate.toJSON().toString().contains("PEERING_ACL_ENABLED=false"));
        software.amazon.awscdk.assertions.Annotations.fromStack(open)
                .hasWarning("*", Match.stringLikeRegexp("ACLs are OFF.*"));
    }

    /** Calls back with each statement of each Java function's role, by handler class name. */
    @SuppressWarnings("unchecked")
    private static void forEachStatementByHandler(java.util.function.BiConsumer<String, Map<String, Object>> each) {
        Map<String, List<Map<String, Object>>> byRole = new HashMap<>();
        for (Map<String, Object> policy : ofType("AWS::IAM::Policy").values()) {
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
        for (Map<String, Object> policy : ofType("AWS::IAM::Policy").values()) {
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
    void onlyTheFunctionsThatSignReadTheIdentitySecretAndOnlyTheBootstrapWritesIt() {
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
                        || handler.equals(AclManagementTokenBootstrapFunction.class.getName()),
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
        for (Map<String, Object> policy : ofType("AWS::IAM::Policy").values()) {
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
        template.resourceCountIs("AWS::Lambda::EventSourceMapping", 2);
        Object finishing = Map.of("Pattern", Match.serializedJson(Map.of("eventName", List.of("MODIFY"),
                "dynamodb", Map.of("NewImage", Map.of("state", Map.of("S", List.of("DELETING", "TERMINATED")))))));
        Object manifests = Map.of("Pattern", Match.serializedJson(Map.of(
                "dynamodb", Map.of("Keys", Map.of("sk", Map.of("S", List.of("MANIFEST")))))));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "StartingPosition", "TRIM_HORIZON",
                "MaximumRetryAttempts", ClusterStack.STREAM_RETRY_ATTEMPTS,
                "BisectBatchOnFunctionError", true,
                "FunctionResponseTypes", List.of("ReportBatchItemFailures"),
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination", Match.anyValue())),
                "FilterCriteria", Map.of("Filters", List.of(finishing, manifests))));
        Object catalogChanges = Map.of("Pattern", Match.serializedJson(Map.of(
                "dynamodb", Map.of("Keys", Map.of("pk", Map.of("S", List.of(Map.of("prefix", "CATALOG#"))))))));
        template.hasResourceProperties("AWS::Lambda::EventSourceMapping", Map.of(
                "MaximumRetryAttempts", ClusterStack.STREAM_RETRY_ATTEMPTS,
                "BisectBatchOnFunctionError", true,
                "DestinationConfig", Map.of("OnFailure", Map.of("Destination", Match.anyValue())),
                "FilterCriteria", Map.of("Filters", Match.arrayWith(List.of(catalogChanges)))));
        template.resourceCountIs("AWS::SQS::Queue", 1);
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
    void heartbeatsRunOnAScheduleAgainstTheAlias() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of("ScheduleExpression", "rate(1 minute)",
                "State", "ENABLED"));
    }

    @Test
    void theIdentityIsBootstrappedOnceByACustomResource() {
        template.resourceCountIs("Custom::ClusterIdentity", 1);
        template.resourceCountIs("AWS::SecretsManager::Secret", 2);
    }

    /** Java functions of ours, by logical ID (the provider framework adds a Node.js one). */
    private static Map<String, Map<String, Object>> javaFunctions() {
        Map<String, Map<String, Object>> functions = new HashMap<>();
        ofType("AWS::Lambda::Function").forEach((id, f) -> {
            if ("java17".equals(properties(f).get("Runtime"))) {
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
        for (Map<String, Object> policy : ofType("AWS::IAM::Policy").values()) {
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
