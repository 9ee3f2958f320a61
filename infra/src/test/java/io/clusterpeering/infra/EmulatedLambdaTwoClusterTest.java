package io.clusterpeering.infra;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.function.ClusterIdentityBootstrapFunction;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.service.PeeringService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.StackProps;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two clusters run from their synthesized templates under AWS's Lambda Runtime Interface Emulator: the CDK app's
 * stacks are synthesized into {@code target/emulated-cdk.out} (dc1 with the HTTP API, dc2 with the REST API, so both
 * payload formats meet in one peering), and each function the flow reaches runs from its code asset in that folder
 * with the template's handler, memory, timeout and environment ({@link EmulatedCluster}). The flow: identity and ACL
 * bootstrap (the custom resources' functions), a denied call, generate, establish (dc2's Establish function calling
 * dc1's exchange function through dc1's gateway), read, list, catalog register, the exported-services entry and
 * list, the import read with {@code ?peer=} (the export stream function, filtered by the template's criteria, sending
 * to dc2's message function), one heartbeat through the queue worker, and delete with the purge finished by dc2's
 * stream function. Every function's {@code REPORT} lines go to {@code target/emulated-lambda-report.txt}.
 *
 * <p>Needs {@code aws-lambda-rie}: {@value #RIE_INSTALL}, which the test runs itself when {@code go} is on the PATH.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class EmulatedLambdaTwoClusterTest {
    static final String RIE_MODULE = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"
            + "@v0.0.0-20261030222936-bef5c4ba774d";
    static final String RIE_INSTALL = "GOBIN=$HOME/.cache/cluster-peering/bin go install " + RIE_MODULE;
    private static final Path FUNCTIONS_JAR = Path.of("..", "functions", "target", "functions-lambda.jar");
    private static final Path TARGET = Path.of("target");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static EmbeddedDynamoDb dynamo1;
    private static EmbeddedDynamoDb dynamo2;
    private static EmulatedAwsServices aws;
    private static EmulatedCluster dc1;
    private static EmulatedCluster dc2;
    private static long started;

    @BeforeAll
    static void start() throws Exception {
        started = System.nanoTime();
        Path rie = rie();
        Path classpathFile = TARGET.resolve("lambda-runtime-classpath.txt");
        assertTrue(Files.isRegularFile(classpathFile), "run through Maven (the dependency plugin writes " + classpathFile + ")");
        String runtimeClasspath = Files.readString(classpathFile).strip();
        assertTrue(runtimeClasspath.contains("aws-lambda-java-runtime-interface-client"), runtimeClasspath);
        assertTrue(Files.isRegularFile(FUNCTIONS_JAR), "build the functions jar first: mvn package (or verify)");

        Path cdkOut = TARGET.resolve("emulated-cdk.out");
        deleteTree(cdkOut);
        App app = new App(AppProps.builder().outdir(cdkOut.toString()).build());
        new ClusterStack(app, "cluster-peering-dc1", StackProps.builder().build(), "dc1", FUNCTIONS_JAR.toString(),
                new ApiSettings(ApiSettings.ApiVariant.HTTP, ApiSettings.DEFAULT_THROTTLE_RATE, ApiSettings.DEFAULT_THROTTLE_BURST, false));
        new ClusterStack(app, "cluster-peering-dc2", StackProps.builder().build(), "dc2", FUNCTIONS_JAR.toString(),
                new ApiSettings(ApiSettings.ApiVariant.REST, ApiSettings.DEFAULT_THROTTLE_RATE, ApiSettings.DEFAULT_THROTTLE_BURST, false));
        app.synth();
        System.out.printf("emulated lambda: synthesized both stacks in %d s%n", (System.nanoTime() - started) / 1_000_000_000);

        // One DynamoDB Local per cluster, as each cluster has its own table (and DynamoDB Local refuses some stream
        // reads of a table whose database holds another table's stream).
        dynamo1 = EmbeddedDynamoDb.start(null);
        dynamo2 = EmbeddedDynamoDb.start(null);
        aws = new EmulatedAwsServices();
        Path work = TARGET.resolve("emulated-lambda");
        deleteTree(work.resolve("dc1"));
        deleteTree(work.resolve("dc2"));
        dc1 = new EmulatedCluster("dc1", cdkOut, "cluster-peering-dc1", aws, dynamo1.endpoint(), rie, runtimeClasspath, work);
        dc2 = new EmulatedCluster("dc2", cdkOut, "cluster-peering-dc2", aws, dynamo2.endpoint(), rie, runtimeClasspath, work);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            writeReport();
        } finally {
            if (dc1 != null) {
                dc1.close();
            }
            if (dc2 != null) {
                dc2.close();
            }
            if (aws != null) {
                aws.close();
            }
            if (dynamo1 != null) {
                dynamo1.close();
            }
            if (dynamo2 != null) {
                dynamo2.close();
            }
        }
    }

    @Test
    void twoClustersPeerReplicateHeartbeatAndDeleteThroughTheEmulatedFunctions() throws Exception {
        assertFalse(dc1.isRest(), "dc1 has the HTTP API (payload 2.0)");
        assertTrue(dc2.isRest(), "dc2 has the REST API (payload 1.0)");

        // Deploy time: the custom resources' functions create each cluster's identity and bootstrap its ACLs.
        JsonNode identity1 = dc1.createCustomResource("Custom::ClusterIdentity");
        JsonNode identity2 = dc2.createCustomResource("Custom::ClusterIdentity");
        assertFalse(identity1.path("Data").path("ClusterId").asText().isEmpty(), identity1.toString());
        assertNotEquals(identity1.path("Data").path("ClusterId"), identity2.path("Data").path("ClusterId"));
        assertTrue(aws.secret(dc1.secretArn("ClusterIdentity")).contains("\"clusterId\"")
                        || aws.secret(dc1.secretArn("ClusterIdentity")).startsWith("{"),
                "the identity secret holds the identity");
        dc1.createCustomResource("Custom::AclManagementToken");
        dc2.createCustomResource("Custom::AclManagementToken");
        String token1 = aws.secret(dc1.secretArn("AclManagementToken"));
        String token2 = aws.secret(dc2.secretArn("AclManagementToken"));
        assertTrue(token1.matches("[0-9a-f-]{36}"), "the management SecretID is in its secret");

        // The peers' internal routes answer another cluster within its 5 s call timeout; in AWS SnapStart restores
        // them, here one refused call starts each JVM first (in parallel).
        warm(List.of(dc1, dc2), "POST", PeeringService.EXCHANGE_PATH, PeeringService.MESSAGE_PATH);

        // ACLs are on with default deny (the template's environment): anonymous calls are refused.
        Answer denied = call(dc1, "GET", "/v1/peerings", null, null);
        assertEquals(403, denied.status(), denied.body());
        assertTrue(denied.body().startsWith("Permission denied: anonymous token lacks permission 'peering:read'"), denied.body());
        Answer again = call(dc2, "PUT", "/v1/acl/bootstrap", null, null);
        assertEquals(403, again.status(), again.body());
        assertTrue(again.body().contains("ACL bootstrap no longer allowed"), again.body());

        // Generate on dc1 (HTTP API), establish on dc2 (REST API), which calls dc1's exchange function.
        Answer generated = call(dc1, "POST", "/v1/peering/token", token1, "{\"PeerName\":\"cluster-02\"}");
        assertEquals(200, generated.status(), generated.body());
        String peeringToken = generated.json().path("PeeringToken").asText();
        assertFalse(peeringToken.isEmpty(), generated.body());
        Answer established = call(dc2, "POST", "/v1/peering/establish", token2,
                "{\"PeerName\":\"cluster-01\",\"PeeringToken\":\"" + peeringToken + "\"}");
        assertEquals(200, established.status(), established.body());
        assertEquals("{}", established.body().strip());

        Answer read = eventually("dc1 reads cluster-02 ACTIVE", () -> call(dc1, "GET", "/v1/peering/cluster-02", token1, null),
                a -> a.status() == 200 && "ACTIVE".equals(a.json().path("State").asText()));
        assertEquals("dc2", read.json().path("Remote").path("Datacenter").asText(), read.body());
        Answer list = eventually("dc2 lists cluster-01 ACTIVE", () -> call(dc2, "GET", "/v1/peerings", token2, null),
                a -> a.status() == 200 && a.json().size() == 1 && "ACTIVE".equals(a.json().get(0).path("State").asText()));
        assertEquals("cluster-01", list.json().get(0).path("Name").asText(), list.body());
        assertEquals(List.of(dc1.url().substring("http://".length())),
                JSON.convertValue(list.json().get(0).path("PeerServerAddresses"), List.class),
                "the token names dc1's API URL from the template's PEERING_ADVERTISE_URL");

        // Register and export on dc1; the export stream function sends it to dc2.
        Answer registered = call(dc1, "PUT", "/v1/catalog/register", token1, "{\"Node\":\"node-1\",\"Address\":\"10.0.0.1\","
                + "\"Service\":{\"ID\":\"backend-1\",\"Service\":\"backend\",\"Port\":8080,\"Tags\":[\"v1\"]},"
                + "\"Check\":{\"CheckID\":\"backend-1-http\",\"Name\":\"backend http\",\"Status\":\"passing\",\"ServiceID\":\"backend-1\"}}");
        assertEquals(200, registered.status(), registered.body());
        assertEquals("true", registered.body().strip());
        Answer exported = call(dc1, "PUT", "/v1/config", token1, "{\"Kind\":\"exported-services\",\"Name\":\"default\","
                + "\"Services\":[{\"Name\":\"backend\",\"Consumers\":[{\"Peer\":\"cluster-02\"}]}]}");
        assertEquals(200, exported.status(), exported.body());
        Answer exports = call(dc1, "GET", "/v1/exported-services", token1, null);
        assertEquals(200, exports.status(), exports.body());
        assertEquals(JSON.readTree("[{\"Service\":\"backend\",\"Consumers\":{\"Peers\":[\"cluster-02\"]}}]"), exports.json());

        Answer health = eventually("dc2 reads backend imported from cluster-01",
                () -> call(dc2, "GET", "/v1/health/service/backend?peer=cluster-01", token2, null),
                a -> a.status() == 200 && a.json().size() == 1);
        JsonNode instance = health.json().get(0);
        assertEquals("cluster-01", instance.path("Service").path("PeerName").asText(), health.body());
        assertEquals(8080, instance.path("Service").path("Port").asInt(), health.body());
        assertEquals("passing", instance.path("Checks").get(0).path("Status").asText(), health.body());
        assertTrue(importedItems(dc2) > 0, "dc2's table holds the imported instance");

        // One heartbeat through the queue: the schedule's function starts dc2's chain on the heartbeat queue, the
        // worker takes the message (as Lambda's SQS event) and enqueues the next step one interval later.
        String beatBefore = call(dc2, "GET", "/v1/peering/cluster-01", token2, null).json().path("StreamStatus")
                .path("LastHeartbeat").asText();
        int sentBefore = aws.sentMessages().size();
        JsonNode tick = dc2.tick("HeartbeatSchedule");
        List<EmulatedAwsServices.SentMessage> chain = aws.sentMessages().subList(sentBefore, aws.sentMessages().size());
        assertEquals(1, chain.size(), "one chain started for the one peering: " + tick + " " + chain);
        assertEquals(0, chain.get(0).delaySeconds(), "the first step is due at once");
        JsonNode worked = dc2.deliverQueued(chain.get(0));
        assertEquals(0, worked.path("batchItemFailures").size(), worked.toString());
        List<EmulatedAwsServices.SentMessage> next = aws.sentMessages().subList(sentBefore + 1, aws.sentMessages().size());
        assertEquals(1, next.size(), "the worker enqueued the chain's next step");
        assertEquals(15, next.get(0).delaySeconds(), "one heartbeat interval later (PEERING_HEARTBEAT_INTERVAL)");
        Answer beaten = call(dc2, "GET", "/v1/peering/cluster-01", token2, null);
        assertNotEquals(beatBefore, beaten.json().path("StreamStatus").path("LastHeartbeat").asText(), beaten.body());
        assertEquals("ACTIVE", beaten.json().path("State").asText(), beaten.body());

        // Delete on dc2: DELETING at once, then dc2's stream function tells dc1, purges the imports, removes the row.
        Answer deleted = call(dc2, "DELETE", "/v1/peering/cluster-01", token2, null);
        assertEquals(200, deleted.status(), deleted.body());
        eventually("dc2's row is gone", () -> call(dc2, "GET", "/v1/peering/cluster-01", token2, null), a -> a.status() == 404);
        assertEquals(0, importedItems(dc2), "the stream function purged everything imported from cluster-01");
        Answer gone = call(dc2, "GET", "/v1/health/service/backend?peer=cluster-01", token2, null);
        assertEquals(200, gone.status(), gone.body());
        assertEquals(0, gone.json().size(), gone.body());
        eventually("dc1 reads cluster-02 TERMINATED", () -> call(dc1, "GET", "/v1/peering/cluster-02", token1, null),
                a -> a.status() == 200 && "TERMINATED".equals(a.json().path("State").asText()));

        // dc1's stream function takes the TERMINATED row; let every invocation finish before the last checks.
        long quiet = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (allFunctions().stream().anyMatch(f -> f.inFlight() > 0) && System.nanoTime() < quiet) {
            Thread.sleep(100);
        }
        assertTrue(dc1.streamErrors().isEmpty() && dc2.streamErrors().isEmpty(),
                "stream deliveries: " + dc1.streamErrors() + " " + dc2.streamErrors());
        assertTrue(dc2.streamInvocations() > 0 && dc1.streamInvocations() > 0, "the stream functions ran");
        String streamFunction = dc2.functionWithHandler(io.clusterpeering.function.PeeringStreamFunction.class.getName());
        assertTrue(dc2.functions().stream().anyMatch(f -> f.name().equals("dc2/" + streamFunction)),
                "dc2's deletion was finished by its PeeringStream function");
        for (EmulatedFunction function : allFunctions()) {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (function.reports().size() < function.completed() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(function.reports().size() >= function.completed(), function.name() + ": a REPORT line per invocation");
        }
        System.out.printf("emulated lambda: whole test %d s%n", (System.nanoTime() - started) / 1_000_000_000);
    }

    private static List<EmulatedFunction> allFunctions() {
        List<EmulatedFunction> functions = new ArrayList<>();
        if (dc1 != null) {
            functions.addAll(dc1.functions());
        }
        if (dc2 != null) {
            functions.addAll(dc2.functions());
        }
        functions.sort(Comparator.comparing(EmulatedFunction::name));
        return functions;
    }

    /** Items of the table imported from a peer. */
    private static int importedItems(EmulatedCluster cluster) {
        return (int) cluster.dynamo().scanPaginator(b -> b.tableName(cluster.tableName())).items().stream()
                .filter(item -> item.getOrDefault("pk", AttributeValue.fromS("")).s().startsWith("IMPORTED#"))
                .count();
    }

    private static void warm(List<EmulatedCluster> clusters, String method, String... paths) {
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (EmulatedCluster cluster : clusters) {
            for (String path : paths) {
                calls.add(CompletableFuture.supplyAsync(() -> call(cluster, method, path, null, "{}")));
            }
        }
        calls.forEach(c -> {
            Answer answer = c.join();
            assertTrue(answer.status() >= 400 && answer.status() < 500, "a refused, unsigned message: " + answer);
        });
    }

    record Answer(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }
    }

    /** A call through the cluster's gateway, as a client calls the API (the stage first on the REST API). */
    private static Answer call(EmulatedCluster cluster, String method, String path, String token, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(cluster.url() + path)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("X-Consul-Token", token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Answer eventually(String what, Supplier<Answer> call, Predicate<Answer> done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Answer last = null;
        while (System.nanoTime() < deadline) {
            last = call.get();
            if (done.test(last)) {
                return last;
            }
            Thread.sleep(200);
        }
        fail(what + ": not within 60 s; last answer " + last + "; stream errors " + dc1.streamErrors() + " " + dc2.streamErrors());
        return last;
    }

    /** The RIE binary: the cached one, else built with {@code go install} when Go is there. */
    private static Path rie() throws IOException, InterruptedException {
        Path bin = Path.of(System.getProperty("user.home"), ".cache", "cluster-peering", "bin");
        Path rie = bin.resolve("aws-lambda-rie");
        if (Files.isExecutable(rie)) {
            return rie;
        }
        Files.createDirectories(bin);
        Process go;
        try {
            ProcessBuilder builder = new ProcessBuilder("go", "install", RIE_MODULE).inheritIO();
            builder.environment().put("GOBIN", bin.toString());
            go = builder.start();
        } catch (IOException noGo) {
            throw new AssertionError("aws-lambda-rie is missing and go is not on the PATH; build it with: " + RIE_INSTALL);
        }
        if (!go.waitFor(10, TimeUnit.MINUTES) || go.exitValue() != 0 || !Files.isExecutable(rie)) {
            throw new AssertionError("aws-lambda-rie could not be built; build it with: " + RIE_INSTALL);
        }
        return rie;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Each function's REPORT lines: the table printed and written to {@code target/emulated-lambda-report.txt}. */
    private static void writeReport() throws IOException {
        List<EmulatedFunction> functions = allFunctions();
        StringBuilder text = new StringBuilder();
        text.append("Functions under aws-lambda-rie (").append(RIE_MODULE.substring(RIE_MODULE.indexOf('@') + 1))
                .append(") with the Java RIC, from the synthesized templates; ")
                .append(Runtime.getRuntime().availableProcessors()).append(" cores, load ")
                .append(String.format("%.1f", java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))
                .append(".\nFrom each function's REPORT lines: 'init ms' is the RIE's Init Duration (the standalone RIE starts the")
                .append(" runtime inside the first invocation, so the JVM's start and the handler's init are in 'first ms');")
                .append(" 'warm p50' the median Duration of the later invocations; 'RIE max' the RIE's Max Memory Used (it")
                .append(" prints the memory size there); 'peak RSS' the runtime JVM's VmHWM after the invocation, measured here;")
                .append(" 'envs' the execution environments started (one more when all were busy).\n\n");
        text.append(String.format("%-42s %5s %6s %9s %10s %9s %8s %9s %5s%n", "function", "inv", "memMB", "init ms",
                "first ms", "warm p50", "RIE max", "peak RSS", "envs"));
        for (EmulatedFunction function : functions) {
            List<EmulatedFunction.Report> reports = function.reports();
            if (reports.isEmpty()) {
                text.append(String.format("%-42s %5d  (its first invocation was still running at the end)%n", function.name(), 0));
                continue;
            }
            List<Double> warm = reports.stream().filter(r -> r.initMillis() == null).map(EmulatedFunction.Report::durationMillis)
                    .sorted().toList();
            EmulatedFunction.Report first = reports.stream().filter(r -> r.initMillis() != null).findFirst().orElse(reports.get(0));
            long envs = reports.stream().filter(r -> r.initMillis() != null).count();
            long rss = reports.stream().mapToLong(EmulatedFunction.Report::peakRssKb).max().orElse(-1);
            text.append(String.format("%-42s %5d %6d %9.2f %10.0f %9s %8d %8dM %5d%n", function.name(), reports.size(),
                    first.memorySizeMb(), first.initMillis() == null ? Double.NaN : first.initMillis(), first.durationMillis(),
                    warm.isEmpty() ? "-" : String.format("%.0f", warm.get(warm.size() / 2)), first.maxMemoryUsedMb(),
                    rss / 1024, envs));
        }
        Files.createDirectories(TARGET);
        Files.writeString(TARGET.resolve("emulated-lambda-report.txt"), text);
        System.out.println(text);
    }
}
