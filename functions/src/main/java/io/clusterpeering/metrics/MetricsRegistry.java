package io.clusterpeering.metrics;

import jakarta.inject.Singleton;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This process's metrics, in memory, in the shape of the go-metrics in-memory sink that Consul's
 * {@code /v1/agent/metrics} renders: counters and samples (count, sum, min, max, mean, standard deviation) and
 * gauges, each identified by a dotted name and a set of labels. Unlike Consul's sink, which shows the last
 * 10-second interval, values accumulate from the start of the process; samples also keep their latest
 * {@value #RECENT} values for the quantiles of the Prometheus rendering. Thread-safe.
 */
@Singleton
public class MetricsRegistry {
    /** How many of the latest values of each sample are kept for quantiles. */
    static final int RECENT = 1024;

    private final Map<Key, Stats> counters = new ConcurrentHashMap<>();
    private final Map<Key, Stats> samples = new ConcurrentHashMap<>();
    private final Map<Key, Double> gauges = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Instant started;

    public MetricsRegistry() {
        this(Clock.systemUTC());
    }

    MetricsRegistry(Clock clock) {
        this.clock = clock;
        this.started = clock.instant();
    }

    /** Adds {@code delta} to a counter. */
    public void count(String name, Map<String, String> labels, double delta) {
        counters.computeIfAbsent(new Key(name, labels), k -> new Stats()).add(delta);
    }

    /** Records one observation of a sample (a latency, a rate). */
    public void sample(String name, Map<String, String> labels, double value) {
        samples.computeIfAbsent(new Key(name, labels), k -> new Stats()).add(value);
    }

    /** Sets a gauge of this process. */
    public void gauge(String name, Map<String, String> labels, double value) {
        gauges.put(new Key(name, labels), value);
    }

    /** Everything recorded so far, sorted by name then labels. */
    public Snapshot snapshot() {
        Instant now = clock.instant();
        double seconds = Math.max(1, Duration.between(started, now).toMillis() / 1000.0);
        List<Gauge> gaugeList = new ArrayList<>();
        gauges.forEach((key, value) -> gaugeList.add(new Gauge(key.name(), value, key.labels())));
        gaugeList.sort(Comparator.comparing(Gauge::name).thenComparing(g -> g.labels().toString()));
        return new Snapshot(now, gaugeList, summaries(counters, seconds), summaries(samples, seconds));
    }

    private static List<Summary> summaries(Map<Key, Stats> stats, double seconds) {
        List<Summary> result = new ArrayList<>();
        stats.forEach((key, value) -> result.add(value.summary(key, seconds)));
        result.sort(Comparator.comparing(Summary::name).thenComparing(s -> s.labels().toString()));
        return result;
    }

    /** A metric's identity: its name and labels (sorted). */
    record Key(String name, SortedMap<String, String> labels) {
        Key(String name, Map<String, String> labels) {
            this(name, new TreeMap<>(labels == null ? Map.of() : labels));
        }
    }

    /** A gauge's current value. */
    public record Gauge(String name, double value, Map<String, String> labels) {
    }

    /**
     * A counter or sample, as go-metrics aggregates it.
     *
     * @param count  how many observations
     * @param rate   sum per second since the process started
     * @param recent the latest observations, oldest first (for quantiles)
     */
    public record Summary(String name, long count, double rate, double sum, double min, double max, double mean,
                          double stddev, Map<String, String> labels, List<Double> recent) {
        /** A quantile of the recent observations (nearest rank), for example 0.5 or 0.99; 0 when there are none. */
        public double quantile(double q) {
            if (recent.isEmpty()) {
                return 0;
            }
            List<Double> sorted = recent.stream().sorted().toList();
            int rank = (int) Math.ceil(q * sorted.size());
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
        }
    }

    /** Everything recorded, at one moment. */
    public record Snapshot(Instant at, List<Gauge> gauges, List<Summary> counters, List<Summary> samples) {
    }

    private static final class Stats {
        private long count;
        private double sum;
        private double sumOfSquares;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private final ArrayDeque<Double> recent = new ArrayDeque<>();

        synchronized void add(double value) {
            count++;
            sum += value;
            sumOfSquares += value * value;
            min = Math.min(min, value);
            max = Math.max(max, value);
            recent.addLast(value);
            if (recent.size() > RECENT) {
                recent.removeFirst();
            }
        }

        synchronized Summary summary(Key key, double seconds) {
            double mean = count == 0 ? 0 : sum / count;
            double variance = count < 2 ? 0 : Math.max(0, (sumOfSquares - count * mean * mean) / (count - 1));
            return new Summary(key.name(), count, sum / seconds, sum, count == 0 ? 0 : min, count == 0 ? 0 : max, mean,
                    Math.sqrt(variance), key.labels(), List.copyOf(recent));
        }
    }
}
