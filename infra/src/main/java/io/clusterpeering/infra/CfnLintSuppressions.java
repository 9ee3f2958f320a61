package io.clusterpeering.infra;

import java.util.List;
import java.util.Map;

import software.amazon.awscdk.services.lambda.CfnFunction;
import software.constructs.IConstruct;

/**
 * The cfn-lint findings the synthesized templates keep on purpose, each written into the resource's
 * {@code Metadata.cfn-lint.config.ignore_checks} with the reason here, so that {@code cfn-lint} on both API
 * variants reports nothing else (CI fails on any error; README "Checks").
 *
 * <ul>
 *   <li>{@code W3005} on every {@code AWS::Lambda::Function}: CDK's {@code Function} adds a {@code DependsOn} on
 *   its role (and the role's default policy) so that the function is created only once its permissions exist;
 *   the {@code Fn::GetAtt} of the role's ARN already orders the role itself, which is what the warning notes.
 *   The dependency on the default policy is the one that matters and has no GetAtt, so the DependsOn stays.</li>
 * </ul>
 */
final class CfnLintSuppressions {
    /** The warning IDs ignored on every Lambda function, as cfn-lint names them. */
    static final List<String> FUNCTION_CHECKS = List.of("W3005");

    private CfnLintSuppressions() {
    }

    /**
     * Writes the suppressions into every Lambda function under {@code scope} (ours, the provider framework's and
     * the bucket deployment's). Called once, last in the stack's constructor: one walk of the tree instead of an
     * {@code IAspect}, whose per-node callbacks overflow the JVM stack through jsii on a stack of this size.
     */
    static void applyTo(IConstruct scope) {
        for (IConstruct node : scope.getNode().findAll()) {
            if (node instanceof CfnFunction function) {
                function.addMetadata("cfn-lint", Map.of("config", Map.of("ignore_checks", FUNCTION_CHECKS)));
            }
        }
    }
}
