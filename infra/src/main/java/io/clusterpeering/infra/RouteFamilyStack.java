package io.clusterpeering.infra;

import software.amazon.awscdk.NestedStack;
import software.amazon.awscdk.NestedStackProps;
import software.amazon.awscdk.services.lambda.Function;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@link RouteFamily}'s nested stack ({@code <family>Routes}) in a cluster stack: the family's route functions,
 * each with its own role, log group, SnapStart version and {@code live} alias ({@link ClusterStack}), their API
 * wiring ({@link ApiFrontDoor#connect}) and the alarms on their errors ({@link Observability#functionErrorAlarms}).
 *
 * <p>What crosses into it from the cluster stack are parameters CDK derives from the references, one per value: the
 * table's ARN and name, the identity secret's and the ACL key's ARNs, the heartbeat queue's URL, the API's ID (REST:
 * also its root resource ID and the catch-all's alias ARN). What leaves it are its error alarms' ARNs, for the
 * composite alarm and the dashboard in the cluster stack. The functions' code is the cluster stack's jar asset,
 * referenced again, not copied.
 */
final class RouteFamilyStack extends NestedStack {
    private final RouteFamily family;
    private final List<Function> functions = new ArrayList<>();

    /**
     * @param parent     the cluster stack
     * @param family     the routes' family
     * @param datacenter the cluster's datacenter, for the description
     */
    RouteFamilyStack(Construct parent, RouteFamily family, String datacenter) {
        super(parent, family.id() + "Routes", NestedStackProps.builder()
                .description("Cluster Peering " + datacenter + ": the " + family.id() + " routes' functions and API wiring")
                .build());
        this.family = family;
    }

    RouteFamily family() {
        return family;
    }

    /** The family's Java functions, in the order made (the error alarms group them in tens in this order). */
    List<Function> functions() {
        return functions;
    }
}
