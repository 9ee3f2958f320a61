package io.clusterpeering.local;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import io.clusterpeering.function.HeartbeatFunction;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.annotation.Requires;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;

import java.time.Duration;

/**
 * Does locally what the EventBridge schedule does in AWS: runs {@link HeartbeatFunction} every heartbeat
 * interval, until {@link #stop} is called.
 */
@Singleton
@Requires(env = "local")
public class LocalHeartbeatSchedule {
    private final HeartbeatFunction function;
    private final StoppableRuns runs = new StoppableRuns();

    public LocalHeartbeatSchedule(ApplicationContext context) {
        this.function = new HeartbeatFunction(context);
    }

    /** One heartbeat round. */
    @Scheduled(fixedDelay = "${peering.heartbeat-interval}", initialDelay = "${peering.heartbeat-interval}")
    public void beat() {
        runs.run(() -> function.execute(new ScheduledEvent()));
    }

    /**
     * Stops the schedule: no round starts after this call; a round in progress (waiting on a slow peer, at most
     * {@code peering.peer-call-timeout} per call) is interrupted after the grace period, and an interrupted
     * heartbeat records nothing.
     *
     * @return true when no round is in progress any more
     */
    public boolean stop(Duration grace) {
        return runs.stop(grace);
    }
}
