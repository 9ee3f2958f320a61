package io.clusterpeering.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.clusterpeering.bench.probe.ProbeContext;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.function.ConsulHttpFunction;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Warm reads as a warm Lambda instance answers them (the function's {@code handleRequest} in this JVM), beside the
 * raw SDK calls they need with the same client: read (GetItem of the peering), list (Query of the partition),
 * catalog and health (the Query of the service). With ACLs off (the issue's setting, and the target's) and on (the
 * deployment's: the token-check GetItem is then needed too). Function and raw calls alternate in blocks, so load
 * falls on both alike.
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
        for (boolean acl : new boolean[]{false, true}) {
            try (Cluster cluster = Cluster.start(run.endpoint(), run.newTable(acl ? "warm-acl" : "warm"), acl, Map.of())) {
                cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"bench-peer\"}");
                for (int i = 1; i <= 3; i++) {
                    cluster.ok("PUT", "/v1/catalog/register", "{\"Node\":\"node-" + i + "\",\"Address\":\"10.0.0." + i
                            + "\",\"Service\":{\"ID\":\"web-" + i + "\",\"Service\":\"web\",\"Port\":8080},"
                            + "\"Check\":{\"CheckID\":\"web-" + i + "-http\",\"Name\":\"web http\",\"Status\":\"passing\","
                            + "\"ServiceID\":\"web-" + i + "\"}}");
                }
                String suffix = acl ? ", ACLs on" : ", ACLs off";
                figure(run, cluster, "read", "GET /v1/peering/{name}" + suffix, "/v1/peering/bench-peer", acl);
                figure(run, cluster, "list", "GET /v1/peerings" + suffix, "/v1/peerings", acl);
                figure(run, cluster, "catalog", "GET /v1/catalog/service/{name}" + suffix, "/v1/catalog/service/web", acl);
                figure(run, cluster, "health", "GET /v1/health/service/{name}" + suffix, "/v1/health/service/web", acl);
            }
        }
        run.results().note(TITLE, "The function is called as Lambda calls a warm instance (`handleRequest` with an "
                + "API Gateway v2 event) in the driver's JVM; the denominator replays, with the function's own DynamoDB "
                + "client, the calls it needs: the data calls it made (recorded), without the index-counter read "
                + "(`X-Consul-Index`) and, with ACLs off, without anything else; with ACLs on the token-check GetItem "
                + "stays in the denominator. \"Round trips\" lists every call the function made for one request.");
    }

    private static void figure(BenchRun run, Cluster cluster, String id, String name, String path, boolean acl) {
        run.progress().step(name);
        APIGatewayV2HTTPEvent event = cluster.event("GET", path, null);
        ConsulHttpFunction function = cluster.function(Cluster.Request.of("GET", path, null).route());
        ProbeContext context = new ProbeContext();
        Runnable call = () -> {
            int status = function.handleRequest(event, context).getStatusCode();
            if (status != 200) {
                throw new IllegalStateException(name + " answered " + status);
            }
        };
        call.run();
        List<SdkRequest> calls = CallRecorder.record(() -> {
            call.run();
            return null;
        });
        List<SdkRequest> needed = calls.stream().filter(c -> !indexCounter(c) && (acl || !tokenCheck(c))).toList();
        DynamoDbClient client = cluster.dynamoDb();
        Runnable raw = () -> needed.forEach(c -> RecordedCalls.invoke(client, c));
        Options o = run.options();
        Histogram fn = Latency.histogram();
        Histogram base = Latency.histogram();
        Latency.measure(o.warmup(), 0, call);
        Latency.measure(o.warmup(), 0, raw);
        int block = 100;
        for (int done = 0; done < o.samples(); done += block) {
            fn.add(Latency.measure(0, block, call));
            base.add(Latency.measure(0, block, raw));
        }
        String chart = "warm-" + id + (acl ? "-acl" : "") + ".png";
        Map<String, Histogram> series = new LinkedHashMap<>();
        series.put("function", fn);
        series.put("raw SDK: " + summary(needed), base);
        Charts.latency(run.results().dir().resolve(chart), name + ", warm", series);
        String detail = fn.getTotalCount() + " samples; round trips: " + calls.size() + " (" + describe(calls) + ")";
        for (double p : new double[]{50, 99}) {
            Figure figure = Figure.versus("warm." + id + (acl ? ".acl" : "") + ".p" + (int) p, TITLE,
                    name + " p" + (int) p, Latency.ms(fn, p), "ms", "raw " + summary(needed) + ", same client",
                    Latency.ms(base, p), detail, chart);
            run.results().add(id.equals("read") && p == 50 ? figure.target(TARGET) : figure);
        }
    }

    private static boolean indexCounter(SdkRequest call) {
        return call instanceof GetItemRequest get && "INDEX".equals(s(get.key().get("pk")));
    }

    private static boolean tokenCheck(SdkRequest call) {
        return call instanceof GetItemRequest get && s(get.key().get("pk")) != null && s(get.key().get("pk")).startsWith("ACL_AUTH#");
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

    /** Each call with the partition key it reads, for the report: {@code GetItem INDEX}. */
    static String describe(List<SdkRequest> calls) {
        List<String> parts = new ArrayList<>();
        for (SdkRequest call : calls) {
            String pk = null;
            if (call instanceof GetItemRequest get) {
                pk = s(get.key().get("pk"));
            } else if (call instanceof QueryRequest query && query.hasExpressionAttributeValues()) {
                pk = query.expressionAttributeValues().values().stream().map(WarmReadSection::s)
                        .filter(v -> v != null).findFirst().orElse(null);
            }
            if (pk != null && pk.startsWith("ACL_AUTH#")) {
                pk = "ACL_AUTH#…";
            }
            parts.add(RecordedCalls.operation(call) + (pk == null ? "" : " " + pk));
        }
        return String.join(", ", parts);
    }
}
