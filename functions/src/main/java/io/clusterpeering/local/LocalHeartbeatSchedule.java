package io.clusterpeering.local;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.clusterpeering.function.HeartbeatFunction;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

/** Does locally what the EventBridge schedule does in AWS: runs {@link HeartbeatFunction} every heartbeat interval. */
@Singleton
@Requires(env = "local")
public class LocalHeartbeatSchedule {
    private final HeartbeatFunction function;

    public LocalHeartbeatSchedule(ApplicationContext context) {
        this.function = new HeartbeatFunction(context);
    }

    /** One heartbeat round. */
    @Scheduled(fixedDelay = "${peering.heartbeat-interval}", initialDelay = "${peering.heartbeat-interval}")
    public void beat() {
        function.execute(new ScheduledEvent());
    }
}
