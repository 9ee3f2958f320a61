package io.clusterpeering.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.clusterpeering.metrics.MetricsRegistry;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a metrics snapshot as Consul's {@code /v1/agent/metrics} does: the JSON of go-metrics' in-memory sink
 * ({@code Timestamp}, {@code Gauges}, {@code Points}, {@code Counters}, {@code Samples}), or with
 * {@code ?format=prometheus} the Prometheus text exposition format (dots in names become underscores; gauges as
 * gauges, counters as counters, samples as summaries with the 0.5, 0.9 and 0.99 quantiles, {@code _sum} and
 * {@code _count}).
 */
public final class MetricsViews {
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss '+0000 UTC'",
            Locale.ROOT).withZone(ZoneOffset.UTC);

    private MetricsViews() {
    }

    /** The JSON body. */
    public static Metrics json(MetricsRegistry.Snapshot snapshot) {
        return new Metrics(GO_TIME.format(snapshot.at()),
                snapshot.gauges().stream().map(g -> new GaugeView(g.name(), g.value(), g.labels())).toList(),
                List.of(),
                snapshot.counters().stream().map(MetricsViews::summary).toList(),
                snapshot.samples().stream().map(MetricsViews::summary).toList());
    }

    /** The Prometheus text body (version 0.0.4). */
    public static String prometheus(MetricsRegistry.Snapshot snapshot) {
        StringBuilder out = new StringBuilder();
        String last = null;
        for (MetricsRegistry.Gauge gauge : snapshot.gauges()) {
            String name = promName(gauge.name());
            if (!name.equals(last)) {
                out.append("# HELP ").append(name).append(' ').append(gauge.name()).append('\n');
                out.append("# TYPE ").append(name).append(" gauge\n");
                last = name;
            }
            out.append(name).append(labels(gauge.labels(), null)).append(' ').append(number(gauge.value())).append('\n');
        }
        for (MetricsRegistry.Summary counter : snapshot.counters()) {
            String name = promName(counter.name());
            if (!name.equals(last)) {
                out.append("# HELP ").append(name).append(' ').append(counter.name()).append('\n');
                out.append("# TYPE ").append(name).append(" counter\n");
                last = name;
            }
            out.append(name).append(labels(counter.labels(), null)).append(' ').append(number(counter.sum())).append('\n');
        }
        for (MetricsRegistry.Summary sample : snapshot.samples()) {
            String name = promName(sample.name());
            if (!name.equals(last)) {
                out.append("# HELP ").append(name).append(' ').append(sample.name()).append('\n');
                out.append("# TYPE ").append(name).append(" summary\n");
                last = name;
            }
            for (double q : new double[] {0.5, 0.9, 0.99}) {
                out.append(name).append(labels(sample.labels(), number(q))).append(' ')
                        .append(number(sample.quantile(q))).append('\n');
            }
            out.append(name).append("_sum").append(labels(sample.labels(), null)).append(' ')
                    .append(number(sample.sum())).append('\n');
            out.append(name).append("_count").append(labels(sample.labels(), null)).append(' ')
                    .append(sample.count()).append('\n');
        }
        return out.toString();
    }

    private static SummaryView summary(MetricsRegistry.Summary s) {
        return new SummaryView(s.name(), s.count(), s.rate(), s.sum(), s.min(), s.max(), s.mean(), s.stddev(), s.labels());
    }

    static String promName(String name) {
        return name.replaceAll("[^a-zA-Z0-9_:]", "_");
    }

    private static String labels(Map<String, String> labels, String quantile) {
        if (labels.isEmpty() && quantile == null) {
            return "";
        }
        StringBuilder out = new StringBuilder("{");
        new java.util.TreeMap<>(labels).forEach((key, value) -> out.append(out.length() > 1 ? "," : "").append(promName(key)).append("=\"")
                .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")).append('"'));
        if (quantile != null) {
            out.append(out.length() > 1 ? "," : "").append("quantile=\"").append(quantile).append('"');
        }
        return out.append('}').toString();
    }

    private static String number(double value) {
        if (value == Math.rint(value) && !Double.isInfinite(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }

    /** Consul's metrics JSON. */
    @JsonPropertyOrder({"Timestamp", "Gauges", "Points", "Counters", "Samples"})
    public record Metrics(@JsonProperty("Timestamp") String timestamp, @JsonProperty("Gauges") List<GaugeView> gauges,
                          @JsonProperty("Points") List<Object> points, @JsonProperty("Counters") List<SummaryView> counters,
                          @JsonProperty("Samples") List<SummaryView> samples) {
    }

    /** A gauge. */
    @JsonPropertyOrder({"Name", "Value", "Labels"})
    public record GaugeView(@JsonProperty("Name") String name, @JsonProperty("Value") double value,
                            @JsonProperty("Labels") Map<String, String> labels) {
    }

    /** A counter or sample, as go-metrics aggregates it. */
    @JsonPropertyOrder({"Name", "Count", "Rate", "Sum", "Min", "Max", "Mean", "Stddev", "Labels"})
    public record SummaryView(@JsonProperty("Name") String name, @JsonProperty("Count") long count,
                              @JsonProperty("Rate") double rate, @JsonProperty("Sum") double sum,
                              @JsonProperty("Min") double min, @JsonProperty("Max") double max,
                              @JsonProperty("Mean") double mean, @JsonProperty("Stddev") double stddev,
                              @JsonProperty("Labels") Map<String, String> labels) {
    }
}
