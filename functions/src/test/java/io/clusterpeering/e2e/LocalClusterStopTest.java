package io.clusterpeering.e2e;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real local cluster process ({@code java -cp <test classpath> io.clusterpeering.local.LocalCluster}, in
 * memory, on free ports) stops on Ctrl-C (SIGINT) and SIGTERM: it exits within 5 seconds, logs each piece it
 * stopped in order (HTTP server, stream poller, heartbeat schedule, application context, DynamoDB Local), and
 * frees its HTTP port and its DynamoDB Local port.
 *
 * <p>The child is started through {@code env --default-signal=INT} where that exists (GNU coreutils 8.31+):
 * a JVM started with SIGINT ignored, as a non-interactive shell starts its background jobs, rightly keeps
 * ignoring it, and the build that runs this test may itself have been started so. Ctrl-C in a terminal never
 * meets that case.
 */
class LocalClusterStopTest {
    private static final Duration STOP_LIMIT = Duration.ofSeconds(5);
    private static final Pattern SERVING = Pattern.compile("serves http://127\\.0\\.0\\.1:(\\d+) .*DynamoDB Local: http://127\\.0\\.0\\.1:(\\d+)");
    private static final List<String> STOP_ORDER = List.of("stopping cluster dc9", "stopped HTTP server",
            "stopped stream poller", "stopped heartbeat schedule", "stopped application context",
            "stopped DynamoDB Local", "cluster dc9 stopped in");

    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalStopsTheProcessWithinFiveSecondsAndFreesItsPorts(String signal) throws Exception {
        int port = EmbeddedDynamoDb.freePort();
        Process process = startCluster(port);
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        Thread reader = readLines(process, lines);
        try {
            String serving = awaitLine(lines, process, "serves http://", Duration.ofSeconds(60));
            Matcher matcher = SERVING.matcher(serving);
            assertTrue(matcher.find(), serving);
            int dynamoDbPort = Integer.parseInt(matcher.group(2));
            assertEquals(port, Integer.parseInt(matcher.group(1)));
            assertEquals(200, agentSelfStatus(port), "the cluster answers before it is stopped");

            long start = System.nanoTime();
            signal(process, signal);
            boolean exited = process.waitFor(STOP_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(exited, "still running " + STOP_LIMIT.toSeconds() + " s after SIG" + signal + ":\n"
                    + String.join("\n", lines));
            System.out.printf("SIG%s: the local cluster exited %d ms after the signal%n", signal, millis);
            reader.join(2000);

            assertEquals(128 + ("INT".equals(signal) ? 2 : 15), process.exitValue(), "exit status after SIG" + signal);
            assertStoppedInOrder(lines);
            assertPortFree(port, "HTTP");
            assertPortFree(dynamoDbPort, "DynamoDB Local");
        } finally {
            process.destroyForcibly();
        }
    }

    private static Process startCluster(int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>();
        if (envResetsSignals()) {
            command.addAll(List.of("env", "--default-signal=INT"));
        }
        command.addAll(List.of(java, "-XX:TieredStopAtLevel=1", "-cp", classpath,
                LocalCluster.class.getName()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("MICRONAUT_SERVER_PORT", Integer.toString(port));
        builder.environment().put("PEERING_DATACENTER", "dc9");
        builder.environment().put("PEERING_DATA_DIR", ":memory:");
        builder.environment().put("PEERING_HEARTBEAT_INTERVAL", "1s");
        builder.environment().put("DDB_LOCAL_TELEMETRY", "0");
        return builder.start();
    }

    private static boolean envResetsSignals() {
        try {
            Process probe = new ProcessBuilder("env", "--default-signal=INT", "true").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            return probe.waitFor(5, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static Thread readLines(Process process, List<String> lines) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "local-cluster-output");
        reader.setDaemon(true);
        reader.start();
        return reader;
    }

    private static String awaitLine(List<String> lines, Process process, String fragment, Duration limit)
            throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                for (String line : lines) {
                    if (line.contains(fragment)) {
                        return line;
                    }
                }
            }
            if (!process.isAlive()) {
                fail("the cluster exited before serving:\n" + String.join("\n", lines));
            }
            Thread.sleep(50);
        }
        fail("no line with \"" + fragment + "\" within " + limit.toSeconds() + " s:\n" + String.join("\n", lines));
        return null;
    }

    /** The status of {@code GET /v1/agent/self}, asked until answered (a cold JVM on a busy machine is slow). */
    private static int agentSelfStatus(int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/agent/self"))
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (java.net.http.HttpTimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    private static void signal(Process process, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
        assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " failed");
    }

    private static void assertStoppedInOrder(List<String> lines) {
        int from = 0;
        for (String expected : STOP_ORDER) {
            int found = -1;
            for (int i = from; i < lines.size(); i++) {
                if (lines.get(i).contains(expected)) {
                    found = i;
                    break;
                }
            }
            assertTrue(found >= 0, "no \"" + expected + "\" after line " + from + " of the log:\n" + String.join("\n", lines));
            from = found + 1;
        }
    }

    private static void assertPortFree(int port, String what) throws IOException {
        assertThrows(ConnectException.class, () -> new Socket(InetAddress.getLoopbackAddress(), port).close(),
                what + " port " + port + " still accepts connections");
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
    }
}
