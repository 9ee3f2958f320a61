package io.clusterpeering.infra;

import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmRule;
import software.amazon.awscdk.services.cloudwatch.AlarmWidget;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.CompositeAlarm;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IAlarm;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.MathExpression;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.sqs.Queue;
import software.constructs.Construct;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster's CloudWatch dashboard and alarms, over the metrics the functions write as Embedded Metric Format
 * lines (namespace {@code ClusterPeering}, dimension {@code datacenter}; per peer also {@code partition},
 * {@code peer_id}, {@code peer_name}), Lambda's own metrics and the stream failure queue:
 * <ul>
 *   <li>{@code PeeringFailing}: the minimum of {@code consul.peering.healthy} over the cluster's peerings is below 1
 *       (a peering reads FAILING) for 5 minutes;</li>
 *   <li>{@code StreamFailuresNotEmpty}: the dead-letter queue of the stream handlers holds a message;</li>
 *   <li>{@code FunctionErrors}: any Java function reported an error (a composite of alarms over at most 10
 *       functions each, CloudWatch's limit for metric math in one alarm; a route family's alarms are in its
 *       nested stack beside its functions, and the composite and the dashboard name them by ARN).</li>
 * </ul>
 * EMF needs no permission beyond writing to the function's log group, which every role has.
 */
final class Observability {
    /** CloudWatch's limit of metrics in one metric-math alarm. */
    static final int METRICS_PER_ALARM = 10;
    static final String NAMESPACE = "ClusterPeering";

    private final Construct scope;
    private final String datacenter;
    private final List<Function> functions;
    private final Queue failures;

    Observability(Construct scope, String datacenter, List<Function> functions, Queue failures) {
        this.scope = scope;
        this.datacenter = datacenter;
        this.functions = List.copyOf(functions);
        this.failures = failures;
    }

    /**
     * The alarms, the dashboard and its URL output, in the cluster stack.
     *
     * @param familyErrorAlarms the error alarms of the route families' functions ({@link #functionErrorAlarms}, in
     *                          their nested stacks), numbered from 1; this stack's own functions' follow them
     */
    void build(List<? extends IAlarm> familyErrorAlarms) {
        Metric healthy = clusterMetric("consul.peering.healthy", "Minimum");
        Alarm failing = Alarm.Builder.create(scope, "PeeringFailingAlarm")
                .alarmName("cluster-peering-" + datacenter + "-peering-failing")
                .alarmDescription("A peering of " + datacenter + " reads FAILING: consul.peering.healthy < 1. "
                        + "GET /v1/peerings shows which and StreamStatus.LastError why; GET /v1/peering/<name>/check "
                        + "tests the link step by step.")
                .metric(healthy)
                .comparisonOperator(ComparisonOperator.LESS_THAN_THRESHOLD)
                .threshold(1)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        Alarm deadLetters = Alarm.Builder.create(scope, "StreamFailuresAlarm")
                .alarmName("cluster-peering-" + datacenter + "-stream-failures")
                .alarmDescription("The stream handlers of " + datacenter + " gave up on a batch: see the StreamFailures "
                        + "queue; deletions and exports are healed by the heartbeat round, but look at why.")
                .metric(failures.metricApproximateNumberOfMessagesVisible(
                        software.amazon.awscdk.services.cloudwatch.MetricOptions.builder()
                                .statistic("Maximum").period(Duration.minutes(5)).build()))
                .comparisonOperator(ComparisonOperator.GREATER_THAN_THRESHOLD)
                .threshold(0)
                .evaluationPeriods(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        List<IAlarm> errorGroups = new ArrayList<>(familyErrorAlarms);
        errorGroups.addAll(functionErrorAlarms(scope, datacenter, functions, familyErrorAlarms.size() + 1));
        CompositeAlarm functionErrors = CompositeAlarm.Builder.create(scope, "FunctionErrorsAlarm")
                .compositeAlarmName("cluster-peering-" + datacenter + "-function-errors")
                .alarmDescription("A function of " + datacenter + " reported errors: its log group says which request")
                .alarmRule(AlarmRule.anyOf(errorGroups.toArray(new IAlarm[0])))
                .build();

        Dashboard dashboard = Dashboard.Builder.create(scope, "Dashboard")
                .dashboardName("cluster-peering-" + datacenter)
                .build();
        dashboard.addWidgets(
                AlarmStatusWidget.Builder.create().title("Alarms").width(24)
                        .alarms(List.of(failing, deadLetters, functionErrors)).build());
        dashboard.addWidgets(
                graph("Peering health (1 healthy, 0 FAILING)", List.of(healthy, perPeer("consul.peering.healthy", "Minimum"))),
                graph("Exported and imported services per peer", List.of(
                        perPeer("consul.peering.exported_services", "Maximum"),
                        perPeer("consul.peering.imported_services", "Maximum"))));
        dashboard.addWidgets(
                graph("Heartbeat round trip per peer, p50 and p99 of the latest heartbeats (ms)", List.of(
                        perPeer("cluster_peering.heartbeat.rtt_p50_ms", "Maximum"),
                        perPeer("cluster_peering.heartbeat.rtt_p99_ms", "Maximum"))),
                graph("Replication lag, change to applied on the peer (ms)", List.of(
                        clusterMetric("cluster_peering.replication.lag_ms", "p50"),
                        clusterMetric("cluster_peering.replication.lag_ms", "p99"))));
        dashboard.addWidgets(
                graph("Establish duration (ms)", List.of(
                        clusterMetric("cluster_peering.establish.duration_ms", "p50"),
                        clusterMetric("cluster_peering.establish.duration_ms", "p99"))),
                graph("Refused tokens and purge throughput", List.of(
                        clusterMetric("cluster_peering.establish.refused_tokens", "Sum"),
                        clusterMetric("cluster_peering.purge.items_per_second", "Average"))));
        dashboard.addWidgets(
                graph("Stream failure queue depth", List.of(failures.metricApproximateNumberOfMessagesVisible())));
        // Each error group's alarm graph (its sum of Lambda Errors against the threshold), named by ARN: the functions
        // of the route families are in nested stacks, whose alarms are all this stack needs to reference.
        List<IWidget> errorGraphs = new ArrayList<>();
        for (IAlarm group : errorGroups) {
            errorGraphs.add(AlarmWidget.Builder.create().alarm(group).width(8).height(6)
                    .title("Function errors: " + group.getNode().getId()).build());
        }
        for (int start = 0; start < errorGraphs.size(); start += 3) {
            dashboard.addWidgets(errorGraphs.subList(start, Math.min(errorGraphs.size(), start + 3)).toArray(new IWidget[0]));
        }

        CfnOutput.Builder.create(scope, "DashboardUrl")
                .description("The cluster's CloudWatch dashboard")
                .value("https://console.aws.amazon.com/cloudwatch/home?region=" + Aws.REGION + "#dashboards:name="
                        + dashboard.getDashboardName())
                .build();
    }

    /**
     * Alarms on the errors of {@code functions}, in {@code scope} (the functions' own stack, so that no function name
     * crosses stacks): one per group of at most {@link #METRICS_PER_ALARM} functions, alarming on a sum of at least
     * one error (Lambda's {@code Errors}, 5 minutes), named {@code cluster-peering-<dc>-function-errors-<n>} with
     * {@code n} counting from {@code firstGroup}.
     *
     * @return the alarms, in group order (none for no functions)
     */
    static List<Alarm> functionErrorAlarms(Construct scope, String datacenter, List<Function> functions, int firstGroup) {
        List<Alarm> alarms = new ArrayList<>();
        for (int start = 0, group = firstGroup; start < functions.size(); start += METRICS_PER_ALARM, group++) {
            Map<String, IMetric> using = new LinkedHashMap<>();
            List<Function> part = functions.subList(start, Math.min(functions.size(), start + METRICS_PER_ALARM));
            for (int i = 0; i < part.size(); i++) {
                using.put("g" + group + "e" + i, part.get(i).metricErrors(software.amazon.awscdk.services.cloudwatch.MetricOptions
                        .builder().statistic("Sum").period(Duration.minutes(5)).build()));
            }
            String which = part.stream().map(f -> f.getNode().getId()).collect(java.util.stream.Collectors.joining(", "));
            MathExpression sum = MathExpression.Builder.create()
                    .expression(String.join(" + ", using.keySet()))
                    .usingMetrics(using)
                    .label("errors of " + which)
                    .period(Duration.minutes(5))
                    .build();
            alarms.add(Alarm.Builder.create(scope, "FunctionErrorsAlarm" + group)
                    .alarmName("cluster-peering-" + datacenter + "-function-errors-" + group)
                    .alarmDescription("Errors of " + which + " in " + datacenter + " (see the FunctionErrors composite alarm)")
                    .metric(sum)
                    .comparisonOperator(ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD)
                    .threshold(1)
                    .evaluationPeriods(1)
                    .treatMissingData(TreatMissingData.NOT_BREACHING)
                    .build());
        }
        return alarms;
    }

    private Metric clusterMetric(String name, String statistic) {
        return Metric.Builder.create()
                .namespace(NAMESPACE)
                .metricName(name)
                .dimensionsMap(Map.of("datacenter", datacenter))
                .statistic(statistic)
                .period(Duration.minutes(5))
                .build();
    }

    /** One line per peer: a search over the per-peer dimension set (dashboards only; alarms cannot search). */
    private MathExpression perPeer(String name, String statistic) {
        return MathExpression.Builder.create()
                .expression("SEARCH('{" + NAMESPACE + ",datacenter,partition,peer_id,peer_name} MetricName=\"" + name
                        + "\" datacenter=\"" + datacenter + "\"', '" + statistic + "', 300)")
                .label(name)
                .period(Duration.minutes(5))
                .build();
    }

    private static IWidget graph(String title, List<IMetric> metrics) {
        return GraphWidget.Builder.create().title(title).width(12).height(6).left(metrics).build();
    }
}
