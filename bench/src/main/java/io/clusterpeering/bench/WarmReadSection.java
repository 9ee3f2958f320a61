package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.ColdStartProbe;
import io.clusterpeering.bench.probe.ProbeContext;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.function.ConsulHttpFunction;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.store.TableKeys;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Warm reads as a warm Lambda instance answers them (the event's bytes through the function's stream entry point,
 * in this JVM), beside the raw SDK calls they need with the same client: read (GetItem of the peering row), list
 * (Query of the partition), catalog and health (the Query of the service). Two clusters, one with ACLs off (the
 * issue's setting, and the target's) and one with ACLs on (the deployment's: the token-check GetItem is then needed
 * too), measured in turns, in blocks, so that the machine's load falls on every figure alike: function with ACLs
 * off, its raw calls, function with ACLs on, its raw calls. The ACL check's own cost is the ratio of the two
 * functions.
 */
final class WarmReadSection implements Section {
    static final String TITLE = "Warm reads";
    static final double TARGET = 1.3;

    @Override
    public String id() {
        return "warm";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        try (Cluster off = Cluster.start(run.endpoint(), run.newTable("warm"), false, Map.of());
             Cluster on = Cluster.start(run.endpoint(), run.newTable("warm-acl"), true, Map.of())) {
            for (Cluster cluster : List.of(off, on)) {
                cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"bench-peer\"}");
                for (int i = 1; i <= 3; i++) {
                    cluster.ok("PUT", "/v1/catalog/register", "{\"Node\":\"node-" + i + "\",\"Address\":\"10.0.0." + i
                            + "\",\"Service\":{\"ID\":\"web-" + i + "\",\"Service\":\"web\",\"Port\":8080},"
                            + "\"Check\":{\"CheckID\":\"web-" + i + "-http\",\"Name\":\"web http\",\"Status\":\"passing\","
                            + "\"ServiceID\":\"web-" + i + "\"}}");
                }
            }
            figure(run, off, on, "read", "GET /v1/peering/{name}", "/v1/peering/bench-peer");
            figure(run, off, on, "list", "GET /v1/peerings", "/v1/peerings");
            figure(run, off, on, "catalog", "GET /v1/catalog/service/{name}", "/v1/catalog/service/web");
            figure(run, off, on, "health", "GET /v1/health/service/{name}", "/v1/health/service/web");
        }
        run.results().note(TITLE, "The function is called as Lambda calls a warm instance: the API Gateway v2 event's "
                + "JSON bytes through `handleRequest(InputStream, OutputStream, Context)`, in the driver's JVM. The "
                + "denominator makes, with the function's own DynamoDB client, the one data call the read needs: the "
                + "consistent GetItem of the peering row for a read, the recorded Query for list, catalog and health "
                + "(with ACLs on, the token-check GetItem before it). \"Round trips\" lists every call the function made "
                + "for one request. The \"ACLs on vs off\" figures divide the two functions' latencies: what the ACL "
                + "check costs a read.");
    }

    private static void figure(BenchRun run, Cluster off, Cluster on, String id, String route, String path) {
        run.progress().step(route);
        Side withoutAcls = side(off, path, false);
        Side withAcls = side(on, path, true);
        Options o = run.options();
        List<Runnable> calls = new ArrayList<>(List.of(withoutAcls.call, withoutAcls.raw, withAcls.call, withAcls.raw));
        // When the function's own call differs from the one the read needs (a read's BatchGetItem of the row and the
        // partition's counter against the GetItem of the row), that call alone, replayed, in the same turns.
        boolean ownCallDiffers = !withoutAcls.made.equals(withoutAcls.needed);
        if (ownCallDiffers) {
            calls.add(withoutAcls.replay);
        }
        List<Histogram> histograms = new ArrayList<>();
        for (Runnable call : calls) {
            Latency.measure(o.warmup(), 0, call);
            histograms.add(Latency.histogram());
        }
        int block = 100;
        for (int done = 0; done < o.samples(); done += block) {
            for (int i = 0; i < calls.size(); i++) {
                histograms.get(i).add(Latency.measure(0, block, calls.get(i)));
            }
        }
        add(run, id, route + ", ACLs off", withoutAcls, histograms.get(0), histograms.get(1), "");
        if (ownCallDiffers) {
            for (double p : new double[]{50, 99}) {
                run.results().add(Figure.versus("warm." + id + ".own-calls.p" + (int) p, TITLE,
                        "raw " + summary(withoutAcls.made) + " (the calls " + route + " makes), p" + (int) p,
                        Latency.ms(histograms.get(4), p), "ms", "raw " + summary(withoutAcls.needed) + ", same client",
                        Latency.ms(histograms.get(1), p), describe(withoutAcls.made) + " vs "
                                + describe(withoutAcls.needed), "warm-" + id + ".png"));
            }
        }
        add(run, id, route + ", ACLs on", withAcls, histograms.get(2), histograms.get(3), ".acl");
        for (double p : new double[]{50, 99}) {
            run.results().add(Figure.versus("warm." + id + ".acl-vs-off.p" + (int) p, TITLE,
                    route + ", ACLs on vs off p" + (int) p, Latency.ms(histograms.get(2), p), "ms",
                    "the same read with ACLs off", Latency.ms(histograms.get(0), p),
                    histograms.get(2).getTotalCount() + " samples each, in turns", "warm-" + id + "-acl.png"));
        }
    }

    private static void add(BenchRun run, String id, String name, Side side, Histogram fn, Histogram base, String suffix) {
        String chart = "warm-" + id + (suffix.isEmpty() ? "" : "-acl") + ".png";
        Map<String, Histogram> series = new LinkedHashMap<>();
        series.put("function", fn);
        series.put("raw SDK: " + summary(side.needed), base);
        Charts.latency(run.results().dir().resolve(chart), name + ", warm", series);
        String detail = fn.getTotalCount() + " samples; round trips: " + side.made.size() + " (" + describe(side.made) + ")";
        for (double p : new double[]{50, 99}) {
            Figure figure = Figure.versus("warm." + id + suffix + ".p" + (int) p, TITLE, name + " p" + (int) p,
                    Latency.ms(fn, p), "ms", "raw " + summary(side.needed) + ", same client", Latency.ms(base, p),
                    detail, chart);
            run.results().add(id.equals("read") && p == 50 ? figure.target(TARGET) : figure);
        }
    }

    /**
     * One cluster's read: the invocation, the calls it made (recorded) and the raw calls it needs.
     *
     * @param call   one invocation through the stream entry point, failing unless 200
     * @param made   every DynamoDB call one invocation made
     * @param needed the calls the denominator makes
     * @param raw    the denominator
     * @param replay the calls the function made, replayed raw
     */
    private record Side(Runnable call, List<SdkRequest> made, List<SdkRequest> needed, Runnable raw, Runnable replay) {
    }

    private static Side side(Cluster cluster, String path, boolean acl) {
        byte[] event = cluster.event("GET", path, null);
        ConsulHttpFunction function = cluster.function(Cluster.Request.of("GET", path, null).route());
        ProbeContext context = new ProbeContext();
        Runnable call = () -> {
            int status = ColdStartProbe.status(Cluster.invoke(function, event, context));
            if (status != 200) {
                throw new IllegalStateException("GET " + path + " answered " + status);
            }
        };
        call.run();
        List<SdkRequest> made = CallRecorder.record(() -> {
            call.run();
            return null;
        });
        List<SdkRequest> needed = new ArrayList<>();
        for (SdkRequest c : made) {
            if (tokenCheck(c)) {
                if (acl) {
                    needed.add(c);
                }
            } else if (c instanceof BatchGetItemRequest batch) {
                needed.addAll(dataGets(batch));
            } else {
                needed.add(c);
            }
        }
        DynamoDbClient client = cluster.dynamoDb();
        Runnable raw = () -> needed.forEach(c -> RecordedCalls.invoke(client, c));
        List<SdkRequest> own = made.stream().filter(c -> acl || !tokenCheck(c)).toList();
        Runnable replay = () -> own.forEach(c -> RecordedCalls.invoke(client, c));
        return new Side(call, made, needed, raw, replay);
    }

    /** The GetItem of each data item a BatchGetItem read (a peering row), without the index counters beside it. */
    private static List<SdkRequest> dataGets(BatchGetItemRequest batch) {
        List<SdkRequest> gets = new ArrayList<>();
        IndexScope counter = IndexScope.peerings("default");
        batch.requestItems().forEach((table, keys) -> {
            for (Map<String, AttributeValue> key : keys.keys()) {
                boolean isCounter = counter.sk().equals(s(key.get(TableKeys.SK))) || IndexScope.GLOBAL.pk().equals(s(key.get(TableKeys.PK)));
                if (!isCounter) {
                    gets.add(GetItemRequest.builder().tableName(table).key(key).consistentRead(consistent(keys)).build());
                }
            }
        });
        return gets;
    }

    private static boolean consistent(KeysAndAttributes keys) {
        return Boolean.TRUE.equals(keys.consistentRead());
    }

    private static boolean tokenCheck(SdkRequest call) {
        return call instanceof GetItemRequest get && s(get.key().get(TableKeys.PK)) != null && s(get.key().get(TableKeys.PK)).startsWith(TableKeys.ACL_AUTH_PREFIX);
    }

    private static String s(AttributeValue value) {
        return value == null ? null : value.s();
    }

    static String summary(List<SdkRequest> calls) {
        return calls.stream().map(RecordedCalls::operation)
                .collect(Collectors.groupingBy(o -> o, LinkedHashMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getKey() + (e.getValue() > 1 ? "×" + e.getValue() : ""))
                .collect(Collectors.joining(" + "));
    }

    /** Each call with the keys it reads, for the report: {@code GetItem PEERING#default/NAME#bench-peer}. */
    static String describe(List<SdkRequest> calls) {
        List<String> parts = new ArrayList<>();
        for (SdkRequest call : calls) {
            String what = null;
            if (call instanceof GetItemRequest get) {
                what = key(get.key());
            } else if (call instanceof BatchGetItemRequest batch) {
                what = batch.requestItems().values().stream().flatMap(k -> k.keys().stream())
                        .map(WarmReadSection::key).collect(Collectors.joining(" + "));
            } else if (call instanceof QueryRequest query && query.hasExpressionAttributeValues()) {
                what = query.expressionAttributeValues().values().stream().map(WarmReadSection::s)
                        .filter(v -> v != null).collect(Collectors.joining(" "));
            }
            parts.add(RecordedCalls.operation(call) + (what == null ? "" : " " + what));
        }
        return String.join(", ", parts);
    }

    private static String key(Map<String, AttributeValue> key) {
        String pk = s(key.get(TableKeys.PK));
        if (pk != null && pk.startsWith(TableKeys.ACL_AUTH_PREFIX)) {
            return TableKeys.ACL_AUTH_PREFIX + "…";
        }
        return pk + "/" + s(key.get(TableKeys.SK));
    }
}
