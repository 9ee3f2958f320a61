package io.clusterpeering.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.clusterpeering.bench.probe.ProbeContext;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.function.ConsulHttpFunction;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scale: read and list at 10, 100 and 1,000 peerings, beside the raw GetItem / Query (every page) they need.
 * Imported instances at 1,000 / 10,000 / 100,000 are the scale branch's figures: add them as a section of their
 * own (see {@link Section}); this one says where today's replication design stops.
 */
final class ScaleSection implements Section {
    static final String TITLE = "Scale";

    @Override
    public String id() {
        return "scale";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        int[] steps = {10, 100, 1_000};
        double[][] listFn = new double[2][steps.length];
        double[][] listRaw = new double[2][steps.length];
        double[][] readFn = new double[2][steps.length];
        double[][] readRaw = new double[2][steps.length];
        try (Cluster cluster = Cluster.start(run.endpoint(), run.newTable("scale"), false, Map.of())) {
            int made = 0;
            for (int s = 0; s < steps.length; s++) {
                int n = steps[s];
                while (made < n) {
                    if (made % 50 == 0) {
                        run.progress().step("generating peerings " + made + "/" + n);
                    }
                    cluster.ok("POST", "/v1/peering/token", String.format("{\"PeerName\":\"peer-%04d\"}", made++));
                }
                int samples = Math.max(50, (run.options().quick() ? 300 : 1000) / (1 + n / 100));
                run.progress().step("list and read at " + n + " peerings");
                Histogram[] list = measure(run, cluster, "/v1/peerings", samples);
                Histogram[] read = measure(run, cluster, "/v1/peering/peer-0003", samples);
                listFn[0][s] = n;
                listRaw[0][s] = n;
                readFn[0][s] = n;
                readRaw[0][s] = n;
                listFn[1][s] = Latency.ms(list[0], 50);
                listRaw[1][s] = Latency.ms(list[1], 50);
                readFn[1][s] = Latency.ms(read[0], 50);
                readRaw[1][s] = Latency.ms(read[1], 50);
                for (double p : new double[]{50, 99}) {
                    run.results().add(Figure.versus("scale.list." + n + ".p" + (int) p, TITLE,
                            String.format("GET /v1/peerings at %,d peerings p%d", n, (int) p), Latency.ms(list[0], p), "ms",
                            "raw Query of the partition (each page the function read)", Latency.ms(list[1], p), samples + " samples", "scale.png"));
                }
                run.results().add(Figure.versus("scale.read." + n + ".p50", TITLE,
                        String.format("GET /v1/peering/{name} at %,d peerings p50", n), Latency.ms(read[0], 50), "ms",
                        "raw GetItem", Latency.ms(read[1], 50), samples + " samples", "scale.png"));
            }
            String body = cluster.ok("GET", "/v1/peerings", null).toString();
            run.results().note(TITLE, String.format(java.util.Locale.ROOT, "At 1,000 peerings one list answer is "
                    + "%,d bytes (%.0f bytes a peering): API Gateway's 10 MB response limit and Lambda's 6 MB answer "
                    + "limit are reached near %,d peerings per partition; there is no pagination in Consul's API to "
                    + "spread it.", body.length(), body.length() / 1000.0, (long) (6e6 / (body.length() / 1000.0))));
        }
        Map<String, double[][]> series = new LinkedHashMap<>();
        series.put("list p50, function", listFn);
        series.put("list p50, raw Query", listRaw);
        series.put("read p50, function", readFn);
        series.put("read p50, raw GetItem", readRaw);
        Charts.curves(run.results().dir().resolve("scale.png"), "Reads by number of peerings", "peerings", "ms", series, true);
        run.results().note(TITLE, "Imported instances at 1,000 / 10,000 / 100,000 (catalog and health `?peer=` reads, "
                + "replication and purge at that size) are measured by the scale branch's benchmark; purge at those "
                + "sizes is in the Purge section. Today's replication sends each peer its whole export snapshot in "
                + "one signed message on every change: the message grows with the number of exported instances, so "
                + "at some 10,000 instances (a few hundred bytes each) it passes Lambda's 6 MB payload and API "
                + "Gateway's 10 MB request limits and the push fails; that is where today's design breaks.");
    }

    /** {function, raw} latency of a GET, alternating in blocks; raw = the Query (all pages) or GetItem it needs. */
    private static Histogram[] measure(BenchRun run, Cluster cluster, String path, int samples) {
        APIGatewayV2HTTPEvent event = cluster.event("GET", path, null);
        ConsulHttpFunction function = cluster.function(Cluster.Request.of("GET", path, null).route());
        ProbeContext context = new ProbeContext();
        Runnable call = () -> function.handleRequest(event, context);
        call.run();
        List<SdkRequest> calls = CallRecorder.record(() -> {
            call.run();
            return null;
        });
        List<SdkRequest> needed = calls.stream().filter(c -> c instanceof QueryRequest
                || (c instanceof GetItemRequest g && g.key().get("pk").s().startsWith("PEERING#"))).toList();
        DynamoDbClient client = cluster.dynamoDb();
        Runnable raw = () -> needed.forEach(c -> RecordedCalls.invoke(client, c));
        int warmup = Math.min(run.options().warmup(), samples);
        Latency.measure(warmup, 0, call);
        Latency.measure(warmup, 0, raw);
        Histogram fn = Latency.histogram();
        Histogram base = Latency.histogram();
        for (int done = 0; done < samples; done += 25) {
            fn.add(Latency.measure(0, 25, call));
            base.add(Latency.measure(0, 25, raw));
        }
        return new Histogram[]{fn, base};
    }
}
