package io.clusterpeering.service;

import io.clusterpeering.config.PeeringConfiguration;
import io.clusterpeering.domain.Indexed;
import io.clusterpeering.store.ConsulIndex;
import io.clusterpeering.store.IndexScope;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Consul's blocking queries ({@code ?index=&wait=}) over the Consul index counters a read depends on
 * ({@link IndexScope}). A read without {@code ?index=} costs no counter read: it answers the largest index its
 * own items carry. A blocking read waits until the counters (summed when a read depends on several) exceed the
 * client's index or the wait is over, then reads and answers the counters' value, which is never below what a
 * non-blocking read of the same data answered, so the index never goes backwards for a watcher and any change
 * after it wakes the next query. A read of one item that carries its own ModifyIndex (one peering) waits on that
 * item instead ({@link #readItem}), as Consul's single-row reads do. DynamoDB has no watches, so it re-reads the
 * counters (or the item) every {@code peering.blocking-poll-interval}.
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
     * Waits as a blocking query on the {@link IndexScope#GLOBAL} counter (ACLs, config entries).
     *
     * @param minIndex the {@code ?index=} the client last saw; 0 returns at once
     * @param wait     the {@code ?wait=}; Consul's 5 minutes when empty, capped at {@code peering.max-blocking-wait}
     * @return the current index (1 or more)
     */
    public long awaitIndexAbove(long minIndex, Optional<Duration> wait) {
        return awaitIndexAbove(List.of(IndexScope.GLOBAL), minIndex, wait);
    }

    /**
     * A Consul read: without {@code ?index=} it runs {@code read} at once and answers the index the read itself
     * saw (its items' largest ModifyIndex, or a counter it read on the way), at least 1; with one it first waits
     * for the scopes' counters to pass it, then runs the read and answers the counters' value.
     *
     * @param minIndex the client's {@code ?index=}, 0 when absent
     * @param wait     the client's {@code ?wait=}
     * @param scopes   the counters the read's result depends on
     * @param read     the read; its index must never exceed the scopes' counters
     * @return the read's value with the index to answer in {@code X-Consul-Index}
     */
    public <T> Indexed<T> read(long minIndex, Optional<Duration> wait, List<IndexScope> scopes, Supplier<Indexed<T>> read) {
        if (minIndex == 0) {
            Indexed<T> result = read.get();
            return new Indexed<>(result.value(), Math.max(1, result.index()));
        }
        long current = awaitIndexAbove(scopes, minIndex, wait);
        return new Indexed<>(read.get().value(), current);
    }

    /**
     * A Consul read of one item that carries its own ModifyIndex, as Consul's {@code PeeringRead} answers
     * ({@code agent/consul/state/peering.go}): the item's ModifyIndex when it exists, else the scope's counter
     * (a second read, on a miss only). Without {@code ?index=} that is one read of the item. With one, it re-reads
     * the item every {@code peering.blocking-poll-interval} until its ModifyIndex passes the client's index, so
     * changes to other items of the scope do not wake it. A missing item answers at once when the scope's counter
     * is past the client's index (the item went away, or never existed, after the client looked); otherwise it
     * waits for the item to appear, as Consul's blocking query does after its first not-found.
     *
     * @param minIndex     the client's {@code ?index=}, 0 when absent
     * @param wait         the client's {@code ?wait=}; Consul's 5 minutes when empty, capped at
     *                     {@code peering.max-blocking-wait}
     * @param whenMissing  the counter a miss answers (the item's table or partition, Consul's table index)
     * @param read         reads the item with its ModifyIndex, empty when there is none
     * @return the item (empty when missing) with the index to answer in {@code X-Consul-Index}, at least 1
     */
    public <T> Indexed<Optional<T>> readItem(long minIndex, Optional<Duration> wait, IndexScope whenMissing,
                                             Supplier<Optional<Indexed<T>>> read) {
        long deadline = deadline(wait);
        boolean last = minIndex == 0;
        boolean missingBefore = false;
        while (true) {
            Optional<Indexed<T>> item = read.get();
            if (item.isPresent()) {
                long itemIndex = Math.max(1, item.get().index());
                if (last || itemIndex > minIndex) {
                    return new Indexed<>(Optional.of(item.get().value()), itemIndex);
                }
            } else if (last || !missingBefore) {
                long counter = index.current(whenMissing);
                if (last || counter > minIndex) {
                    return new Indexed<>(Optional.empty(), counter);
                }
                missingBefore = true;
            }
            last = !pollAgain(deadline);
        }
    }

    private long awaitIndexAbove(List<IndexScope> scopes, long minIndex, Optional<Duration> wait) {
        long current = index.currentSum(scopes);
        if (minIndex == 0 || current > minIndex) {
            return current;
        }
        long deadline = deadline(wait);
        while (current <= minIndex && pollAgain(deadline)) {
            current = index.currentSum(scopes);
        }
        return current;
    }

    /** When a blocking query's wait ends, in {@link System#nanoTime()} terms. */
    private long deadline(Optional<Duration> wait) {
        Duration limit = wait.orElse(CONSUL_DEFAULT_WAIT);
        if (limit.compareTo(config.getMaxBlockingWait()) > 0) {
            limit = config.getMaxBlockingWait();
        }
        return System.nanoTime() + limit.toNanos();
    }

    /** Sleeps one poll interval (less when the deadline is nearer); false when the wait is over or interrupted. */
    private boolean pollAgain(long deadline) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            return false;
        }
        try {
            Thread.sleep(Math.max(1, Math.min(config.getBlockingPollInterval().toMillis(), left / 1_000_000)));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
