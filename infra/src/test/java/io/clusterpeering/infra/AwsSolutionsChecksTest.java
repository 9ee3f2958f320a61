package io.clusterpeering.infra;

import io.github.cdklabs.cdknag.AwsSolutionsChecks;
import io.clusterpeering.infra.ApiSettings.ApiVariant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Aspects;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.cxapi.SynthesisMessage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cdk-nag's AWS Solutions rule pack ({@link AwsSolutionsChecks}) on the cluster stack of each API variant (the
 * HTTP API and the REST API), synthesized as {@link ClusterStackTest} does: no unsuppressed error and no
 * unsuppressed warning. Every finding is either fixed in the CDK code or suppressed in {@link NagRuleSuppressions}
 * with its rule ID and why it does not apply, so a new resource that breaks a rule fails here with the rule, the
 * construct path and cdk-nag's explanation.
 */
class AwsSolutionsChecksTest {
    private static final Path FUNCTIONS_JAR = Path.of("..", "functions", "target", "functions-lambda.jar");

    @ParameterizedTest(name = "{0}")
    @EnumSource(ApiVariant.class)
    void theStackHasNoUnsuppressedAwsSolutionsFinding(ApiVariant variant) {
        assertTrue(Files.isRegularFile(FUNCTIONS_JAR), "build the functions jar first: mvn package (or verify)");
        App app = new App();
        ClusterStack stack = new ClusterStack(app, "cluster-peering-dc1", StackProps.builder().build(), "dc1",
                FUNCTIONS_JAR.toString(), new ApiSettings(variant, ApiSettings.DEFAULT_THROTTLE_RATE,
                        ApiSettings.DEFAULT_THROTTLE_BURST, false));
        Aspects.of(stack).add(AwsSolutionsChecks.Builder.create().verbose(true).build());

        // The route families' nested stacks are no artifacts of their own: their constructs' findings are in the
        // cluster stack's (NagRuleSuppressions covers both).
        assertEquals(RouteFamily.values().length, stack.getNode().getChildren().stream()
                .filter(RouteFamilyStack.class::isInstance).count(), "one nested stack per route family");
        Annotations annotations = Annotations.fromStack(stack);
        List<String> findings = new ArrayList<>();
        describe("error", annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*")), findings);
        describe("warning", annotations.findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*")), findings);
        assertTrue(findings.isEmpty(), findings.size() + " unsuppressed AwsSolutions finding(s) in the " + variant
                + " variant:\n" + String.join("\n", findings));
    }

    private static void describe(String level, List<SynthesisMessage> messages, List<String> into) {
        for (SynthesisMessage message : messages) {
            into.add(level + " " + message.getId() + ": " + message.getEntry().getData());
        }
    }
}
