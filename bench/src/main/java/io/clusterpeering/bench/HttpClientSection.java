package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.HttpClients;
import io.clusterpeering.bench.probe.ProbeEvents;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.store.TableKeys;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The SDK HTTP client, chosen by measurement: the same consistent GetItem through the SDK with each synchronous
 * client it offers (URL connection, Apache, CRT), warm (p50/p99) and cold (a fresh JVM that builds the client and
 * makes the call), beside the engine's floor (the same GetItem as a hand-written POST over a keep-alive
 * {@code java.net.http} connection), and each client's jar-size cost.
 */
final class HttpClientSection implements Section {
    static final String TITLE = "SDK HTTP client";

    @Override
    public String id() {
        return "http-client";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        Options o = run.options();
        String table;
        try (Cluster cluster = Cluster.start(run.endpoint(), run.newTable("http"), false, Map.of())) {
            table = cluster.table();
            StringBuilder payload = new StringBuilder();
            for (int i = 0; i < 40; i++) {
                payload.append("0123456789");
            }
            cluster.dynamoDb().putItem(r -> r.tableName(table).item(Map.of(TableKeys.PK, AttributeValue.fromS("BENCH"),
                    TableKeys.SK, AttributeValue.fromS("ITEM"), "payload", AttributeValue.fromS(payload.toString()))));
        }
        GetItemRequest get = GetItemRequest.builder().tableName(table).consistentRead(true)
                .key(Map.of(TableKeys.PK, AttributeValue.fromS("BENCH"), TableKeys.SK, AttributeValue.fromS("ITEM"))).build();

        run.progress().step("warm GetItem: raw HTTP and each SDK client, in turns");
        Map<String, Histogram> warm = new LinkedHashMap<>();
        Map<String, Runnable> calls = new LinkedHashMap<>();
        calls.put("raw HTTP POST (java.net.http)", rawHttp(run.endpoint(), table));
        List<DynamoDbClient> clients = new ArrayList<>();
        for (String name : HttpClients.NAMES) {
            DynamoDbClient client = client(run.endpoint(), name);
            clients.add(client);
            calls.put(name, () -> client.getItem(get));
        }
        calls.forEach((name, call) -> {
            Latency.measure(o.warmup(), 0, call);
            warm.put(name, Latency.histogram());
        });
        // blocks of 100 calls in turns, so that the machine's load falls on every client alike
        for (int done = 0; done < o.samples(); done += 100) {
            calls.forEach((name, call) -> warm.get(name).add(Latency.measure(0, 100, call)));
        }
        clients.forEach(DynamoDbClient::close);
        Histogram floor = warm.get("raw HTTP POST (java.net.http)");
        Histogram url = warm.get("url-connection");
        for (String name : HttpClients.NAMES) {
            Histogram h = warm.get(name);
            for (double p : new double[]{50, 99}) {
                run.results().add(Figure.versus("http." + name + ".p" + (int) p, TITLE,
                        "SDK GetItem warm p" + (int) p + ", " + name, Latency.ms(h, p), "ms",
                        "raw HTTP POST GetItem, keep-alive", Latency.ms(floor, p), h.getTotalCount() + " samples",
                        "http-clients-warm.png"));
            }
        }
        Charts.latency(run.results().dir().resolve("http-clients-warm.png"), "GetItem on DynamoDB Local, warm", warm);

        Path recorded = run.work().resolve("one-getitem.calls");
        RecordedCalls.write(recorded, List.of(get));
        Path event = run.work().resolve("one-getitem.event");
        ProbeEvents.write(event, "GET", "/bench", Map.of(), Map.of(), Map.of(), null);
        Map<String, List<Long>> cold = new LinkedHashMap<>();
        HttpClients.NAMES.forEach(n -> cold.put(n, new ArrayList<>()));
        int runs = 2 * o.coldRuns() + 1;
        for (int i = 0; i < runs; i++) {
            for (String name : HttpClients.NAMES) {
                run.progress().step("cold GetItem with " + name + ", JVM " + (i + 1) + "/" + runs);
                BenchRun.ProbeResult r = run.probe(run.driverClasspath(), "io.clusterpeering.bench.probe.PlainJavaHandler",
                        event, Map.of("PEERING_DYNAMODB_ENDPOINT", run.endpoint(), "AWS_REGION", "us-east-1"),
                        List.of("-Dbench.calls=" + recorded, "-Dbench.http-client=" + name), false);
                cold.get(name).add(r.total());
            }
        }
        double urlCold = Stats.median(cold.get("url-connection"));
        Map<String, Double> sizes = jarCost();
        for (String name : HttpClients.NAMES) {
            run.results().add(Figure.versus("http." + name + ".cold", TITLE,
                    "fresh JVM: build client + first GetItem, " + name, Stats.median(cold.get(name)), "ms",
                    "same with url-connection", urlCold, "median of " + runs + " " + Stats.list(cold.get(name)),
                    "http-clients-cold.png"));
            run.results().add(Figure.alone("http." + name + ".jar", TITLE, "jar-size cost, " + name,
                    sizes.get(name), "MB", sizes.get(name + ".detail") == null ? null
                            : "linux x86_64 + aarch64 natives only: " + Results.num(sizes.get(name + ".linux")) + " MB", null));
        }
        Charts.bars(run.results().dir().resolve("http-clients-cold.png"), "Fresh JVM: build the client, first GetItem (median)",
                "ms", HttpClients.NAMES, Map.of("median", HttpClients.NAMES.stream().mapToDouble(n -> Stats.median(cold.get(n))).toArray()),
                false);
        run.results().note(TITLE, String.format(java.util.Locale.ROOT,
                "The same consistent GetItem of one 400-byte item. Warm: p50 url-connection %.2f ms, apache %.2f ms, crt %.2f ms "
                        + "(engine floor %.2f ms). The Lambda jar carries `%s`.", Latency.ms(url, 50),
                Latency.ms(warm.get("apache"), 50), Latency.ms(warm.get("crt"), 50), Latency.ms(floor, 50),
                run.lambdaHttpClient()));
    }

    static DynamoDbClient client(String endpoint, String httpClient) {
        return DynamoDbClient.builder().region(Region.US_EAST_1).httpClient(HttpClients.build(httpClient))
                .endpointOverride(URI.create(endpoint))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
    }

    /** The floor: the GetItem's JSON posted by hand over one keep-alive connection (DynamoDB Local does not check signatures). */
    private static Runnable rawHttp(String endpoint, String table) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint + "/"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "DynamoDB_20120810.GetItem")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20250101/us-east-1/dynamodb/aws4_request, "
                        + "SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("{\"TableName\":\"" + table + "\",\"ConsistentRead\":true,"
                        + "\"Key\":{\"pk\":{\"S\":\"BENCH\"},\"sk\":{\"S\":\"ITEM\"}}}"))
                .build();
        return () -> {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("raw GetItem answered " + response.statusCode() + ": " + response.body());
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        };
    }

    /** MB of each client's jars on the driver's classpath (CRT also: only its linux x86_64 and aarch64 natives). */
    private static Map<String, Double> jarCost() throws IOException {
        Map<String, Double> cost = new LinkedHashMap<>();
        Map<String, List<String>> artifacts = Map.of(
                "url-connection", List.of("url-connection-client-"),
                "apache", List.of("apache-client-", "httpclient-4", "httpcore-4", "commons-logging-", "commons-codec-"),
                "crt", List.of("aws-crt-client-", "aws-crt-0", "crt-core-"));
        for (String name : HttpClients.NAMES) {
            double total = 0;
            double linux = 0;
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String file = Path.of(entry).getFileName().toString();
                if (artifacts.get(name).stream().anyMatch(file::startsWith) && file.endsWith(".jar")) {
                    long size = new File(entry).length();
                    total += size;
                    if (file.startsWith("aws-crt-0")) {
                        linux += linuxOnly(Path.of(entry));
                        cost.put(name + ".detail", 1.0);
                    } else {
                        linux += size;
                    }
                }
            }
            cost.put(name, total / 1e6);
            cost.put(name + ".linux", linux / 1e6);
        }
        return cost;
    }

    /** Compressed bytes of the CRT jar without the natives of other platforms than linux x86_64 and aarch64. */
    private static long linuxOnly(Path jar) throws IOException {
        long kept = 0;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (var e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                boolean nativeLib = name.endsWith(".so") || name.endsWith(".dylib") || name.endsWith(".dll");
                if (!nativeLib || name.startsWith("linux/x86_64/glibc/") || name.startsWith("linux/armv8/glibc/")) {
                    kept += entry.getCompressedSize();
                }
            }
        }
        return kept;
    }
}
