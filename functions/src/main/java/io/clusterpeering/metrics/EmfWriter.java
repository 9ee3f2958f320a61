package io.clusterpeering.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.cloudwatchlogs.emf.environment.Environment;
import software.amazon.cloudwatchlogs.emf.logger.MetricsLogger;
import software.amazon.cloudwatchlogs.emf.model.DimensionSet;
import software.amazon.cloudwatchlogs.emf.model.Unit;

import java.util.Map;

/**
 * Writes metrics as CloudWatch Embedded Metric Format lines with AWS's EMF library
 * ({@code software.amazon.cloudwatchlogs:aws-embedded-metrics}): in Lambda each line goes to standard output, which
 * Lambda sends to the function's log group, where CloudWatch extracts the metric (only log-group write is needed).
 * Namespace {@value #NAMESPACE}. Every metric is published under two dimension sets: all its labels plus
 * {@code datacenter} (per peer), and {@code datacenter} alone (the whole cluster, which the alarms watch).
 */
public final class EmfWriter {
    /** The CloudWatch namespace of every metric. */
    public static final String NAMESPACE = "ClusterPeering";
    private static final Logger LOG = LoggerFactory.getLogger(EmfWriter.class);

    private final Environment environment;
    private final String datacenter;

    /**
     * @param environment where lines go: the library's {@code LambdaEnvironment} in AWS
     * @param datacenter  this cluster's datacenter, a dimension of every metric
     */
    public EmfWriter(Environment environment, String datacenter) {
        this.environment = environment;
        this.datacenter = datacenter;
    }

    /**
     * Writes one metric value as one EMF line. Never throws: a metric that cannot be written is logged.
     *
     * @param name   the metric name, for example {@code consul.peering.healthy}
     * @param labels its labels (at most 8), which become dimensions
     * @param value  the value
     * @param unit   its CloudWatch unit
     */
    public void write(String name, Map<String, String> labels, double value, Unit unit) {
        try {
            MetricsLogger metrics = new MetricsLogger(environment);
            metrics.setNamespace(NAMESPACE);
            DimensionSet perLabel = DimensionSet.of("datacenter", datacenter);
            for (Map.Entry<String, String> label : new java.util.TreeMap<>(labels).entrySet()) {
                perLabel.addDimension(label.getKey(), label.getValue().isEmpty() ? "-" : label.getValue());
            }
            if (labels.isEmpty()) {
                metrics.setDimensions(false, perLabel);
            } else {
                metrics.setDimensions(false, perLabel, DimensionSet.of("datacenter", datacenter));
            }
            metrics.putMetric(name, value, unit);
            metrics.flush();
        } catch (RuntimeException e) {
            LOG.warn("metric {} could not be written as EMF: {}", name, e.getMessage());
        }
    }
}
