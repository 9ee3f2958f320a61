package io.clusterpeering.function;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.clusterpeering.service.HeartbeatService;
import io.micronaut.context.ApplicationContext;
import io.micronaut.function.aws.MicronautRequestHandler;

import java.util.Map;

/**
 * The scheduled heartbeat (an EventBridge schedule in AWS, a timer locally): sends one heartbeat to the peer
 * of every connected peering and records the outcome. Answers {@code {"delivered": n, "failed": m}}.
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
        HeartbeatService.Result result = getApplicationContext().getBean(HeartbeatService.class).sendHeartbeats();
        return Map.of("delivered", result.delivered(), "failed", result.failed());
    }
}
