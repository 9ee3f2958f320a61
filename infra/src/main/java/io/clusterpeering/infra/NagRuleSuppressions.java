package io.clusterpeering.infra;

import io.clusterpeering.infra.ApiSettings.ApiVariant;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.DefaultStackSynthesizer;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.apigateway.CfnMethod;
import software.amazon.awscdk.services.apigateway.CfnRestApi;
import software.amazon.awscdk.services.apigateway.CfnStage;
import software.amazon.awscdk.services.apigatewayv2.CfnRoute;
import software.constructs.IConstruct;

import java.util.List;
import java.util.Objects;

/**
 * The cdk-nag {@code AwsSolutions} findings the cluster stack keeps on purpose, each suppressed here with its rule ID
 * and why the rule does not apply, so that {@code AwsSolutionsChecks} reports nothing else on either API variant
 * (the infra test {@code AwsSolutionsChecksTest}). The findings that were right for the product are fixed where the
 * resource is made instead: the HTTP API's access log (APIG1), TLS-only queue policies (SQS4), and the ACL
 * functions' key grant narrowed to {@code kms:Encrypt} and {@code kms:Decrypt} (IAM5). Wildcard suppressions
 * (IAM5) name the exact wildcard actions or resources they accept ({@code appliesTo}), so a new wildcard still
 * fails. Every construct is looked up by its ID and must exist: a suppression whose resource is gone fails synth.
 */
final class NagRuleSuppressions {
    /** cdk-nag's name of the managed policy that CDK's custom-resource provider framework gives its function. */
    static final String BASIC_EXECUTION_ROLE =
            "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";

    /** Why the REST variant's Peers page methods (S3 reads at {@code /v1/ui/}) take no authorizer. */
    static final String PAGE_FILES = "The Peers page's static files, public like Consul's own UI; the page then "
            + "calls the API with the user's ACL token.";

    private NagRuleSuppressions() {
    }

    /**
     * Adds the suppressions to the resources of {@code stack}. Called once, last in the stack's constructor, after
     * every resource exists.
     *
     * @param stack   the cluster stack
     * @param variant which API the stack has: the REST API and the HTTP variant's CloudFront keep different findings
     */
    static void applyTo(Stack stack, ApiVariant variant) {
        // Each API rule on exactly the resources it checks (not on every child of the API): a REST API has hundreds
        // of resources, and every suppression is metadata in the template, whose size CloudFormation limits.
        String consulAcl = "Consul's ACL tokens (X-Consul-Token, default deny) authorize every call in the functions, "
                + "as in Consul; Consul clients send no IAM or Cognito credentials.";
        // The API's constructs: the API itself in the cluster stack, each route family's resources and methods below
        // the API it imports into its nested stack (also named Api).
        List<IConstruct> apiConstructs = new java.util.ArrayList<>(child(stack, "Api").getNode().findAll());
        for (IConstruct family : stack.getNode().getChildren()) {
            if (family instanceof RouteFamilyStack routes) {
                apiConstructs.addAll(child(routes, "Api").getNode().findAll());
            }
        }
        for (IConstruct node : apiConstructs) {
            if (node instanceof CfnRoute) {
                suppress(node, false, rule("AwsSolutions-APIG4", consulAcl));
            } else if (node instanceof CfnMethod) {
                // The REST variant serves the Peers page's files from S3 at /v1/ui/ beside the API.
                String reason = node.getNode().getPath().contains("/Default/ui/") ? PAGE_FILES : consulAcl;
                suppress(node, false, rule("AwsSolutions-APIG4", reason), rule("AwsSolutions-COG4", reason));
            } else if (node instanceof CfnRestApi) {
                suppress(node, false, rule("AwsSolutions-APIG2", "Each function validates its request as Consul "
                        + "does and answers Consul's errors; an API Gateway validator would answer bodies Consul's "
                        + "clients do not expect."));
            } else if (node instanceof CfnStage) {
                String accountRole = "REST stage logging needs API Gateway's account-wide CloudWatch role, a "
                        + "per-account singleton a cluster's stack must not own; each function logs its requests.";
                suppress(node, false, rule("AwsSolutions-APIG1", accountRole), rule("AwsSolutions-APIG6", accountRole),
                        rule("AwsSolutions-APIG3", "A web ACL per cluster is an account-level cost and policy "
                                + "decision; the stage's throttle caps the rate and Consul's ACL tokens authorize every call."));
            }
        }

        suppress(child(stack, "StreamFailures"), false, rule("AwsSolutions-SQS3", "This queue is itself the "
                + "dead-letter destination of both DynamoDB stream mappings (onFailure), which cdk-nag does not count as a DLQ."));
        suppress(child(stack, "ClusterIdentity"), false, rule("AwsSolutions-SMG4", "The secret is the cluster's CA and "
                + "token-signing key, which every peer trusts: a scheduled rotation would break every peering, and "
                + "Consul does not rotate it on a schedule either."));
        suppress(child(stack, "AclManagementToken"), false, rule("AwsSolutions-SMG4", "The secret is the SecretID of the "
                + "initial ACL management token, which only the ACL API can change (as in Consul); Secrets Manager "
                + "rotating the secret alone would not change the token."));

        String listStreams = "Resource::*";
        for (String role : List.of("ExportStreamRole", "PeeringStreamRole")) {
            suppress(child(stack, role), true, rule("AwsSolutions-IAM5", "The one statement on * is "
                    + "dynamodb:ListStreams, which the DynamoDB stream mapping needs and which has no resource-level "
                    + "permissions (the infra tests check that nothing else names *).", listStreams));
        }

        IConstruct identityFunction = child(stack, "IdentityBootstrap");
        String identityVersions = "Resource::<" + logicalId(stack, identityFunction) + ".Arn>:*";
        for (String provider : List.of("IdentityBootstrapProvider", "AclBootstrapProvider")) {
            suppress(child(stack, provider), true, rule("AwsSolutions-IAM4", "The custom-resource provider "
                    + "framework (aws-cdk-lib) gives its function this role; the managed policy only lets it write its "
                    + "own logs.", BASIC_EXECUTION_ROLE));
        }
        suppress(child(stack, "IdentityBootstrapProvider"), true, rule("AwsSolutions-IAM5", "The provider framework "
                + "may invoke the identity bootstrap function's versions (ARN:*) and nothing else.", identityVersions));

        IConstruct bucket = child(stack, "UiBucket");
        String bucketArn = "<" + logicalId(stack, bucket) + ".Arn>";
        suppress(bucket, false, rule("AwsSolutions-S1", "The bucket holds only the Peers page's static files, written "
                + "only by the CDK deployment and read only through CloudFront or API Gateway (public access blocked), "
                + "so a server access log would only repeat their requests."));
        String qualifier = Objects.requireNonNullElse(
                (String) stack.getNode().tryGetContext("@aws-cdk/core:bootstrapQualifier"),
                DefaultStackSynthesizer.DEFAULT_QUALIFIER);
        suppress(child(stack, "UiDeploymentRole"), true, rule("AwsSolutions-IAM5", "BucketDeployment's grants "
                        + "(aws-cdk-lib): read the page's asset from the CDK asset bucket and write and prune the "
                        + "objects of the page's bucket; the wildcards are CDK's read and read-write action groups, on "
                        + "those two buckets only.",
                "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*",
                "Action::s3:Abort*", "Resource::" + bucketArn + "/*",
                "Resource::arn:<AWS::Partition>:s3:::cdk-" + qualifier + "-assets-<AWS::AccountId>-<AWS::Region>/*"));
        for (IConstruct node : stack.getNode().getChildren()) {
            if (node.getNode().getId().startsWith("Custom::CDKBucketDeployment")) {
                suppress(node, true, rule("AwsSolutions-L1", "BucketDeployment's own handler (aws-cdk-lib), whose "
                        + "runtime aws-cdk-lib chooses and upgrades; every function of ours is on java25, the latest Java."));
            }
        }

        if (variant == ApiVariant.REST) {
            restApi(stack, bucketArn);
        } else {
            cloudFront(stack);
        }
    }

    /** The REST variant's own finding beside its API's: the page's S3 reads. */
    private static void restApi(Stack stack, String bucketArn) {
        suppress(child(stack, "UiReaderRole"), true, rule("AwsSolutions-IAM5", "API Gateway reads the Peers page's "
                + "files, whose names change with each page version, with s3:GetObject under ui/ of the page's bucket "
                + "only.", "Resource::" + bucketArn + "/ui/*"));
    }

    /** The HTTP variant's CloudFront distribution: the Peers page and {@code /v1/*} on one origin. */
    private static void cloudFront(Stack stack) {
        suppress(child(stack, "UiDistribution"), false,
                rule("AwsSolutions-CFR1", "Peer clusters and operators may be anywhere; the page has no geographic "
                        + "audience to restrict to."),
                rule("AwsSolutions-CFR2", "A web ACL per cluster is an account-level cost and policy decision; the "
                        + "API's throttle caps the request rate and Consul's ACL tokens authorize every call."),
                rule("AwsSolutions-CFR3", "CloudFront's standard logs need a bucket with ACLs enabled; the /v1/* "
                        + "requests it forwards are in the HTTP API's access log, and the page's files are static."),
                rule("AwsSolutions-CFR4", "The distribution has no custom domain: with CloudFront's default "
                        + "*.cloudfront.net certificate the minimum TLS version cannot be chosen."));
    }

    private static NagPackSuppression rule(String id, String reason, String... appliesTo) {
        NagPackSuppression.Builder builder = NagPackSuppression.builder().id(id).reason(reason);
        if (appliesTo.length > 0) {
            builder.appliesTo(List.of(appliesTo));
        }
        return builder.build();
    }

    private static void suppress(IConstruct construct, boolean applyToChildren, NagPackSuppression... rules) {
        NagSuppressions.addResourceSuppressions(construct, List.of(rules), applyToChildren);
    }

    /** The stack's child of that ID; it must exist, so that a suppression never outlives its resource unnoticed. */
    private static IConstruct child(Stack stack, String id) {
        return stack.getNode().findChild(id);
    }

    /** The logical ID of a construct's CloudFormation resource, as cdk-nag writes it in {@code <Id.Arn>}. */
    private static String logicalId(Stack stack, IConstruct construct) {
        return stack.getLogicalId((CfnElement) construct.getNode().getDefaultChild());
    }
}
