package io.clusterpeering.bench;

import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.HeartbeatService;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 10's peering scale, at 1×, 10× and 100× ({@code --peering-scales}): 10 / 100 / 1,000 established peerings on
 * one acceptor, 5 % of them dead (their dialer is gone and a listener on its address accepts and never answers, so
 * each heartbeat to them waits out the 5 s peer-call timeout). Per size: {@code GET /v1/peerings} and
 * {@code GET /v1/peering/{name}} beside the raw DynamoDB calls they make (every page), the list's size, and one
 * local heartbeat round (heartbeat and resync of every peering, {@code PEERING_HEARTBEAT_CONCURRENCY} at once)
 * beside Consul's 15 s heartbeat interval, which a round must fit in.
 */
final class ScaleSection implements Section {
    static final String TITLE = "Scale: peerings";
    static final double INTERVAL_SECONDS = 15;

    @Override
    public String id() {
        return "scale-peerings";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        List<Integer> scales = run.options().peeringScales();
        double[][] list = new double[2][scales.size()];
        double[][] listRaw = new double[2][scales.size()];
        double[][] round = new double[2][scales.size()];
        double[][][] bytes = new double[3][2][scales.size()];
        for (int s = 0; s < scales.size(); s++) {
            int total = 10 * scales.get(s);
            double[] figures = size(run, total);
            list[0][s] = listRaw[0][s] = round[0][s] = total;
            list[1][s] = figures[0];
            listRaw[1][s] = figures[1];
            round[1][s] = figures[2];
            for (int k = 0; k < 3; k++) {
                bytes[k][0][s] = total;
                bytes[k][1][s] = figures[3 + k] / 1e6;
            }
        }
        answerSizes(run.results().dir().resolve("answer-size-peerings.png"), "GET /v1/peerings answer by number of peerings",
                "peerings", bytes);
        Map<String, double[][]> reads = new LinkedHashMap<>();
        reads.put("GET /v1/peerings p50 (ms)", list);
        reads.put("raw Query pages p50 (ms)", listRaw);
        reads.put("heartbeat round (s)", round);
        Charts.curves(run.results().dir().resolve("scale-peerings.png"), "List and heartbeat round by number of peerings",
                "peerings", "ms / s", reads, true);
        run.results().note(TITLE, "Each size: three local clusters on an empty DynamoDB Local of its own. The acceptor generates a "
                + "token per peering; 95 % are established by a live dialer cluster, 5 % by a cluster that is then "
                + "stopped, its address taken by a listener that never answers. Reads are the functions in this JVM "
                + "beside the raw DynamoDB calls one invocation made (recorded, replayed with the same client). The "
                + "round is `HeartbeatService.sendHeartbeats` on the acceptor, the local schedule's round (in AWS each "
                + "peering is its own SQS message taken by bounded workers, so a round is not one Lambda's work); its "
                + "ratio is to Consul's 15 s interval.");
    }

    /** One size: {list p50 ms, raw list p50 ms, round s, list answer plain / gzip / Lambda result bytes}. */
    private static double[] size(BenchRun run, int total) throws Exception {
        int dead = Math.max(1, total / 20);
        String at = String.format(Locale.ROOT, "%,d peerings", total);
        try (PeeredAcceptor peered = PeeredAcceptor.start(run, total - dead, dead, at)) {
            LocalCluster acceptorCluster = peered.acceptor();
            Cluster acceptor = Cluster.over(acceptorCluster);
            int samples = run.options().quick() ? 20 : Math.max(20, 200 / Math.max(1, total / 100));
            run.progress().step(at + ": list and read");
            ImportScaleSection.Read listRead = ImportScaleSection.read(acceptor, "/v1/peerings", samples);
            ImportScaleSection.Read oneRead = ImportScaleSection.read(acceptor, "/v1/peering/live-0003", samples);
            String id = "scale.peerings." + total;
            listRead.add(run.results(), TITLE, id + ".list", "GET /v1/peerings, " + at);
            oneRead.add(run.results(), TITLE, id + ".read", "GET /v1/peering/{name}, " + at);
            HeartbeatService heartbeats = acceptorCluster.context().getBean(HeartbeatService.class);
            int rounds = run.options().quick() ? 1 : 3;
            List<Long> millis = new ArrayList<>();
            HeartbeatService.Result result = null;
            for (int j = 0; j < rounds; j++) {
                run.progress().step(at + ": heartbeat round " + (j + 1) + "/" + rounds);
                long start = System.nanoTime();
                result = heartbeats.sendHeartbeats();
                millis.add((System.nanoTime() - start) / 1_000_000);
            }
            double seconds = Stats.median(millis) / 1000.0;
            run.results().add(Figure.versus(id + ".round", TITLE, "heartbeat round (heartbeat + resync each), " + at
                            + ", " + dead + " dead", seconds, "s", "Consul's heartbeat interval", INTERVAL_SECONDS,
                    String.format(Locale.ROOT, "median of %d rounds %s ms; last: %d delivered, %d failed", rounds,
                            Stats.list(millis), result.delivered(), result.failed()), "scale-peerings.png")
                    .target(1.0));
            Cluster.AnswerSize answer = acceptor.answerSize("/v1/peerings");
            run.results().add(answerSize(id + ".list-bytes", TITLE, "GET /v1/peerings answer, " + at, answer,
                    "answer-size-peerings.png"));
            return new double[]{Latency.ms(listRead.function(), 50), Latency.ms(listRead.raw(), 50), seconds,
                    answer.plainBytes(), answer.gzipBytes(), answer.lambdaResultBytes()};
        }
    }

    /** Lambda's limit on a function's result (6 MiB), which a gzipped answer in base64 must stay under. */
    static final double LAMBDA_RESULT_LIMIT_MB = 6 * 1024 * 1024 / 1e6;

    /**
     * One answer's size as a figure: the Lambda result of the gzipped answer against Lambda's 6 MiB limit (target
     * ratio ≤ 1), with the plain and gzipped body sizes in the detail.
     */
    static Figure answerSize(String id, String section, String name, Cluster.AnswerSize answer, String chart) {
        return Figure.versus(id, section, name + ", gzipped, as a Lambda result", answer.lambdaResultBytes() / 1e6, "MB",
                "Lambda's result limit (6 MiB)", LAMBDA_RESULT_LIMIT_MB, String.format(Locale.ROOT,
                        "plain %,d B, gzip %,d B (%.1f %%), Lambda result %,d B", answer.plainBytes(),
                        answer.gzipBytes(), 100.0 * answer.gzipBytes() / answer.plainBytes(), answer.lambdaResultBytes()),
                chart).target(1.0);
    }

    /** The chart of answer sizes (plain, gzip, Lambda result; MB) against a count, with Lambda's limit drawn. */
    static void answerSizes(java.nio.file.Path file, String title, String xAxis, double[][][] bytes) {
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("plain JSON (MB)", bytes[0]);
        series.put("gzip (MB)", bytes[1]);
        series.put("Lambda result of the gzipped answer (MB)", bytes[2]);
        double[][] limit = new double[2][bytes[0][0].length];
        for (int i = 0; i < limit[0].length; i++) {
            limit[0][i] = bytes[0][0][i];
            limit[1][i] = LAMBDA_RESULT_LIMIT_MB;
        }
        series.put("Lambda's 6 MiB limit", limit);
        Charts.curves(file, title, xAxis, "MB", series, true);
    }
}
