package io.clusterpeering.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * The link latency to a peer: the round-trip times of the last {@link #WINDOW} heartbeats this cluster sent
 * (time from sending a heartbeat to the peer's 200 answer, in milliseconds), and their percentiles. Linkerd's
 * {@code linkerd mc gateways} shows the same kind of figure per link; Consul shows none.
 *
 * @param samples round-trip times in milliseconds, oldest first, at most {@link #WINDOW}
 */
public record LinkLatency(List<Long> samples) {
    /** How many of the latest heartbeats the percentiles cover. */
    public static final int WINDOW = 20;

    public LinkLatency {
        samples = samples == null ? List.of() : List.copyOf(samples);
    }

    /** The window after one more heartbeat: the oldest sample falls out once there are {@link #WINDOW}. */
    public LinkLatency plus(long roundTripMillis) {
        List<Long> next = new ArrayList<>(samples);
        next.add(Math.max(0, roundTripMillis));
        while (next.size() > WINDOW) {
            next.remove(0);
        }
        return new LinkLatency(next);
    }

    /** Whether any heartbeat was measured. */
    public boolean isEmpty() {
        return samples.isEmpty();
    }

    /** The median round trip, in milliseconds; 0 when there are no samples. */
    public long p50() {
        return percentile(50);
    }

    /** The 99th percentile round trip, in milliseconds (the slowest of fewer than 100 samples); 0 when none. */
    public long p99() {
        return percentile(99);
    }

    /**
     * A percentile by the nearest-rank method: the smallest sample with at least {@code p} percent of the
     * samples at or below it.
     *
     * @param p the percentile, 1 to 100
     */
    public long percentile(int p) {
        if (samples.isEmpty()) {
            return 0;
        }
        List<Long> sorted = samples.stream().sorted().toList();
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
