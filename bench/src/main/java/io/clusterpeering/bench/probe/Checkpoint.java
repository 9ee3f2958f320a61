package io.clusterpeering.bench.probe;

import io.micronaut.context.ApplicationContextProvider;
import io.micronaut.core.order.OrderUtil;
import io.micronaut.crac.OrderedResource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A SnapStart snapshot and restore, simulated on a JDK without CRaC: the CRaC resources of the handler's
 * application context (Micronaut registers every {@link OrderedResource} bean with CRaC) get
 * {@code beforeCheckpoint} in their order, then {@code afterRestore} in reverse, as a checkpoint and restore would
 * call them. What runs in between on a real restore (the memory image coming back) cannot be simulated; what the
 * first request costs after the priming can. A handler without a context (the plain-Java one) has nothing to do.
 */
final class Checkpoint {
    private Checkpoint() {
    }

    static void simulate(Object handler) throws Exception {
        if (!(handler instanceof ApplicationContextProvider provider)) {
            return;
        }
        List<OrderedResource> resources = new ArrayList<>(provider.getApplicationContext().getBeansOfType(OrderedResource.class));
        OrderUtil.sort(resources);
        for (OrderedResource resource : resources) {
            resource.beforeCheckpoint(null);
        }
        List<OrderedResource> reversed = new ArrayList<>(resources);
        Collections.reverse(reversed);
        for (OrderedResource resource : reversed) {
            resource.afterRestore(null);
        }
    }
}
