package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.clusterpeering.service.HeartbeatFanOut;
import io.clusterpeering.service.HeartbeatService;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;

import java.util.Map;

/**
 * The scheduled heartbeat tick (an EventBridge schedule, every minute, in AWS; a timer locally). With a heartbeat
 * queue (AWS) it starts a heartbeat chain for every connected peering that has none alive, and answers
 * {@code {"started": n}}; the queue's workers ({@link HeartbeatWorkerFunction}) then beat each peering every
 * heartbeat interval. Without one (the local runtime) it runs a whole round in process, a bounded number of
 * peerings at a time, and answers {@code {"delivered": n, "failed": m}}.
 */
public class HeartbeatFunction extends MicronautRequestHandler<ScheduledEvent, Map<String, Integer>> {

    public HeartbeatFunction() {
        super();
    }

    public HeartbeatFunction(ApplicationContext context) {
        super(context);
    }

    @Override
    public Map<String, Integer> execute(ScheduledEvent event) {
        HeartbeatFanOut fanOut = getApplicationContext().getBean(HeartbeatFanOut.class);
        if (fanOut.queued()) {
            return Map.of("started", fanOut.tick());
        }
        HeartbeatService.Result result = getApplicationContext().getBean(HeartbeatService.class).sendHeartbeats();
        return Map.of("delivered", result.delivered(), "failed", result.failed());
    }
}
