package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.local.LocalCluster;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Generate and establish, warm, beside the raw cost of the DynamoDB calls they make (recorded, replayed with the
 * same client; a conditional write that no longer holds on replay still costs its round trip) plus, for establish,
 * one HTTP round trip to the acceptor's server (the secret exchange is one call).
 */
final class WriteSection implements Section {
    static final String TITLE = "Generate and establish";

    @Override
    public String id() {
        return "write";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        Options o = run.options();
        int samples = o.quick() ? 30 : 200;
        try (Cluster cluster = Cluster.start(run.endpoint(), run.newTable("gen"), true, Map.of())) {
            run.progress().step("generate");
            int[] n = {0};
            Runnable generate = () -> cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"gen-" + (n[0]++ % 50) + "\"}");
            Latency.measure(samples / 2, 0, generate);
            List<SdkRequest> calls = CallRecorder.record(() -> {
                generate.run();
                return null;
            });
            DynamoDbClient client = cluster.dynamoDb();
            Histogram fn = Latency.histogram();
            Histogram raw = Latency.histogram();
            for (int done = 0; done < samples; done += 20) {
                fn.add(Latency.measure(0, 20, generate));
                raw.add(Latency.measure(0, 20, () -> replay(client, calls)));
            }
            add(run, "generate", "POST /v1/peering/token (ACLs on)", fn, raw, "raw " + WarmReadSection.summary(calls),
                    calls);
        }
        try (LocalCluster acceptor = Cluster.local(run, "dc1", Map.of());
             LocalCluster dialer = Cluster.local(run, "dc2", Map.of())) {
            Cluster accepting = Cluster.over(acceptor);
            Cluster dialing = Cluster.over(dialer);
            int[] n = {0};
            java.util.function.Supplier<String[]> nextToken = () -> {
                String name = "est-" + n[0]++;
                return new String[]{name, accepting.ok("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}")
                        .get("PeeringToken").asText()};
            };
            java.util.function.Consumer<String[]> establish = t -> dialing.ok("POST", "/v1/peering/establish",
                    "{\"PeerName\":\"" + t[0] + "\",\"PeeringToken\":\"" + t[1] + "\"}");
            run.progress().step("establish");
            for (int i = 0; i < 5; i++) {
                establish.accept(nextToken.get());
            }
            String[] recorded = nextToken.get();
            List<SdkRequest> establishCalls = CallRecorder.recordAll(() -> {
                establish.accept(recorded);
                return null;
            });
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest roundTrip = HttpRequest.newBuilder(URI.create(Cluster.url(acceptor) + "/v1/bench-round-trip"))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(1500))).build();
            DynamoDbClient client = dialing.dynamoDb();
            Histogram fn = Latency.histogram();
            Histogram raw = Latency.histogram();
            int est = o.quick() ? 20 : 100;
            for (int i = 0; i < est; i++) {
                String[] token = nextToken.get();
                long began = System.nanoTime();
                establish.accept(token);
                fn.recordValue(System.nanoTime() - began);
                long start = System.nanoTime();
                replay(client, establishCalls);
                send(http, roundTrip);
                raw.recordValue(System.nanoTime() - start);
            }
            add(run, "establish", "POST /v1/peering/establish (dialer, to a local acceptor, ACLs off)", fn, raw,
                    "raw " + WarmReadSection.summary(establishCalls) + " + 1 HTTP round trip", establishCalls);
        }
        run.results().note(TITLE, "Generate: the function's `handleRequest` in the driver's JVM against the replay of "
                + "its recorded calls. Establish: the dialer's function in the driver's JVM, calling a local acceptor "
                + "cluster's HTTP server (`LocalCluster`, same engine); the denominator replays the DynamoDB calls of "
                + "both sides and makes one keep-alive HTTP POST to the acceptor's server (an unrouted path, answered "
                + "404 without a function). Token generation for each establish is not timed.");
    }

    private static void replay(DynamoDbClient client, List<SdkRequest> calls) {
        for (SdkRequest call : calls) {
            try {
                RecordedCalls.invoke(client, call);
            } catch (SdkServiceException conditionHeld) {
                // still one round trip
            }
        }
    }

    private static void send(HttpClient http, HttpRequest request) {
        try {
            http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void add(BenchRun run, String id, String name, Histogram fn, Histogram raw, String denominator,
                            List<SdkRequest> calls) {
        String chart = "write-" + id + ".png";
        Map<String, Histogram> series = new LinkedHashMap<>();
        series.put(id, fn);
        series.put(denominator, raw);
        Charts.latency(run.results().dir().resolve(chart), name, series);
        for (double p : new double[]{50, 99}) {
            run.results().add(Figure.versus("write." + id + ".p" + (int) p, TITLE, name + " p" + (int) p,
                    Latency.ms(fn, p), "ms", denominator, Latency.ms(raw, p),
                    fn.getTotalCount() + " samples; calls: " + WarmReadSection.describe(calls), chart));
        }
    }
}
