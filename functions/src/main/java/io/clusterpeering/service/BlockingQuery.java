package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.store.ConsulIndex;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.Optional;

/**
 * Consul's blocking queries ({@code ?index=&wait=}) over the one Consul index of the table: returns once the
 * index exceeds the client's or the wait is over. DynamoDB has no watches, so it re-reads the index every
 * {@code peering.blocking-poll-interval}.
 */
@Singleton
public class BlockingQuery {
    private static final Duration CONSUL_DEFAULT_WAIT = Duration.ofMinutes(5);

    private final ConsulIndex index;
    private final PeeringConfiguration config;

    public BlockingQuery(ConsulIndex index, PeeringConfiguration config) {
        this.index = index;
        this.config = config;
    }

    /**
     * @param minIndex the {@code ?index=} the client last saw; 0 returns at once
     * @param wait     the {@code ?wait=}; Consul's 5 minutes when empty, capped at {@code peering.max-blocking-wait}
     * @return the current index (1 or more)
     */
    public long awaitIndexAbove(long minIndex, Optional<Duration> wait) {
        long current = index.current();
        if (minIndex == 0 || current > minIndex) {
            return current;
        }
        Duration limit = wait.orElse(CONSUL_DEFAULT_WAIT);
        if (limit.compareTo(config.getMaxBlockingWait()) > 0) {
            limit = config.getMaxBlockingWait();
        }
        long deadline = System.nanoTime() + limit.toNanos();
        while (current <= minIndex && System.nanoTime() < deadline) {
            try {
                Thread.sleep(Math.max(1, Math.min(config.getBlockingPollInterval().toMillis(),
                        (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            current = index.current();
        }
        return current;
    }
}
