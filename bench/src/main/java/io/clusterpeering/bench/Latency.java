package io.clusterpeering.bench;

import org.HdrHistogram.Histogram;

/**
 * Latency samples in an HdrHistogram (nanoseconds, 3 significant digits): warm up, then time each call.
 */
public final class Latency {
    private Latency() {
    }

    /** An empty histogram for 1 µs to 10 min. */
    public static Histogram histogram() {
        return new Histogram(1_000L, 600_000_000_000L, 3);
    }

    /**
     * Runs {@code op} {@code warmup} times untimed, then {@code samples} times timed.
     *
     * @return the timed samples
     */
    public static Histogram measure(int warmup, int samples, Runnable op) {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        Histogram histogram = histogram();
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            op.run();
            histogram.recordValue(Math.max(1_000L, System.nanoTime() - start));
        }
        return histogram;
    }

    /** A percentile in milliseconds. */
    public static double ms(Histogram histogram, double percentile) {
        return histogram.getValueAtPercentile(percentile) / 1e6;
    }
}
