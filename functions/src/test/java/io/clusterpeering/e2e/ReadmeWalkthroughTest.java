package io.clusterpeering.e2e;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.local.LocalStreamPoller;
import io.clusterpeering.support.OutputShapes;
import io.clusterpeering.support.ReadmeWalkthrough;
import io.clusterpeering.support.ReadmeWalkthrough.Command;
import io.clusterpeering.support.ReadmeWalkthrough.Walkthrough;
import io.clusterpeering.support.TestDynamoDb;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the README's walkthroughs, taken from README.md itself, with bash and curl against two fresh local
 * clusters, and checks every output block and every HTTP status the README shows.
 *
 * <p>What is run is found by the convention {@link ReadmeWalkthrough} documents: the region between
 * {@code <!-- walkthrough:begin -->} and {@code <!-- walkthrough:end -->} (HTML comments, not shown on the page;
 * more regions, named {@code <!-- walkthrough:begin <name> -->}, each get their own fresh pair); its {@code sh}
 * blocks are the commands, in order, in one bash session (so {@code TOKEN=...} carries over); a fenced block
 * right after a {@code sh} block is what its last command prints; {@code cmd # output} gives one command's output;
 * {@code <!-- status NNN -->} before an output block gives its HTTP status, and every other {@code curl} must
 * answer 200 (a {@code curl} wrapper in the session records each status).
 *
 * <p>The README's ports 8500 (dc1) and 8501 (dc2) are replaced by free ports in the commands, and back in the
 * outputs; nothing else of the text changes. Outputs compare by shape ({@link OutputShapes}): field names and
 * order, types, states and other strings, status codes; not IDs, times, certificates, tokens or indexes.
 *
 * <p>Timing, as a reader meets it: a person runs one block, reads, then runs the next, so the table's stream
 * (which drives exports and deletions) is handled between blocks, not inside one. The clusters here have their
 * stream poller slowed to once an hour and the test polls both streams before each block, which makes that
 * exact. Nothing is retried: each command runs once and its output is what the reader gets at that moment.
 * Heartbeats keep the README's default interval (15 s), so a read right after establish shows only what the
 * establish itself recorded.
 */
class ReadmeWalkthroughTest {
    private static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);

    @Test
    void theReadmeHasAWalkthroughWithOutputs() {
        List<Walkthrough> walkthroughs = ReadmeWalkthrough.parse(ReadmeWalkthrough.readme());
        assertFalse(walkthroughs.isEmpty(), "README.md marks no walkthrough");
        for (Walkthrough walkthrough : walkthroughs) {
            long outputs = walkthrough.commands().stream().filter(c -> c.expected() != null).count();
            assertTrue(outputs >= (walkthrough.name().equals("main") ? 5 : 1),
                    "walkthrough " + walkthrough.name() + " shows few outputs: " + walkthrough.commands());
        }
    }

    @TestFactory
    Stream<DynamicTest> everyReadmeWalkthroughPrintsWhatTheReadmeShows() {
        return ReadmeWalkthrough.parse(ReadmeWalkthrough.readme()).stream()
                .map(walkthrough -> DynamicTest.dynamicTest(walkthrough.name(), () -> run(walkthrough)));
    }

    private static void run(Walkthrough walkthrough) throws Exception {
        try (LocalCluster dc1 = start("dc1", walkthrough.settings()); LocalCluster dc2 = start("dc2", walkthrough.settings());
             Shell shell = new Shell()) {
            Map<String, String> ports = Map.of("127.0.0.1:8500", "127.0.0.1:" + dc1.port(),
                    "127.0.0.1:8501", "127.0.0.1:" + dc2.port());
            for (Command command : walkthrough.commands()) {
                if (command.startsBlock()) {
                    settle(dc1, dc2);
                }
                Shell.Result result = shell.run(replace(command.text(), ports));
                List<String> problems = check(command, result, ports);
                if (!problems.isEmpty()) {
                    fail("README.md line " + command.line() + ": " + command.text() + "\n"
                            + (command.expected() == null ? "" : "(output shown at line " + command.expected().line() + ")\n")
                            + String.join("\n", problems));
                }
            }
        }
    }

    private static List<String> check(Command command, Shell.Result result, Map<String, String> ports) {
        List<String> problems = new ArrayList<>();
        List<Integer> statuses = result.statuses();
        if (command.text().contains("curl ")) {
            if (statuses.isEmpty()) {
                problems.add("no HTTP answer; stderr: " + result.stderr());
            }
            for (int i = 0; i < statuses.size(); i++) {
                int expected = i == statuses.size() - 1 && command.expected() != null ? command.expected().status() : 200;
                if (statuses.get(i) != expected) {
                    problems.add("HTTP status " + statuses.get(i) + ", expected " + expected + "; output: " + result.stdout());
                }
            }
        }
        if (command.expected() != null) {
            Map<String, String> back = new HashMap<>();
            ports.forEach((readme, actual) -> back.put(actual, readme));
            problems.addAll(OutputShapes.differences(command.expected().text(), replace(result.stdout(), back)));
        }
        return problems;
    }

    /**
     * Hands each cluster's pending stream records to its handlers, as the poller does between a reader's steps: a
     * poll that waits for the scheduled one in progress (a skipped poll let the audit block read before the deletion's
     * purge had finished), twice over both clusters, since a handler on one may write what the other's must take.
     */
    private static void settle(LocalCluster... clusters) throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            for (LocalCluster cluster : clusters) {
                cluster.context().getBean(LocalStreamPoller.class).pollAfterCurrent();
            }
        }
    }

    private static LocalCluster start(String datacenter, Map<String, String> settings) {
        int port = EmbeddedDynamoDb.freePort();
        Map<String, Object> properties = new HashMap<>(TestDynamoDb.freshTable("readme-" + datacenter));
        properties.putAll(settings);
        properties.put("micronaut.server.port", port);
        properties.put("peering.datacenter", datacenter);
        properties.put("peering.advertise-url", "http://127.0.0.1:" + port);
        properties.put("peering.local.stream-poll-interval", "1h");
        return LocalCluster.start(null, properties);
    }

    private static String replace(String text, Map<String, String> replacements) {
        String result = text;
        for (Map.Entry<String, String> entry : replacements.entrySet()) {
            result = result.replace(entry.getKey(), entry.getValue());
        }
        return result;
    }

    /**
     * One bash session: each command runs in the session's own shell (variables carry over), its stdout and
     * stderr captured to files, and every {@code curl} writes its HTTP status to stderr as {@code @@status NNN}.
     */
    private static final class Shell implements AutoCloseable {
        private final Process bash;
        private final Writer input;
        private final BlockingQueue<String> output = new LinkedBlockingQueue<>();
        private final Path directory;
        private int count;

        Shell() throws IOException {
            directory = Files.createTempDirectory("readme-walkthrough");
            // In a directory of its own: files a walkthrough writes (dc1-bootstrap.json) go there and are removed.
            bash = new ProcessBuilder("bash", "--noprofile", "--norc").directory(directory.toFile())
                    .redirectErrorStream(true).start();
            input = new OutputStreamWriter(bash.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        output.add(line);
                    }
                } catch (IOException ignored) {
                    // the shell ended
                }
            }, "readme-shell-output");
            reader.setDaemon(true);
            reader.start();
            send("curl() { command curl -w '%{stderr}@@status %{http_code}\\n' \"$@\"; }\n");
        }

        Result run(String command) throws IOException, InterruptedException {
            int n = ++count;
            Path out = directory.resolve("out." + n);
            Path err = directory.resolve("err." + n);
            send("{ " + command + "\n} > '" + out + "' 2> '" + err + "'\necho \"@@done " + n + "\"\n");
            long deadline = System.nanoTime() + COMMAND_LIMIT.toNanos();
            List<String> stray = new ArrayList<>();
            while (true) {
                String line = output.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    fail("the command did not finish within " + COMMAND_LIMIT.toSeconds() + " s: " + command);
                }
                if (line.equals("@@done " + n)) {
                    break;
                }
                stray.add(line);
            }
            String stderr = Files.readString(err);
            List<Integer> statuses = stderr.lines().filter(l -> l.startsWith("@@status "))
                    .map(l -> Integer.parseInt(l.substring("@@status ".length()).trim())).toList();
            String otherErrors = String.join("\n", stray) + stderr.lines().filter(l -> !l.startsWith("@@status "))
                    .reduce("", (a, b) -> a + "\n" + b);
            return new Result(Files.readString(out), otherErrors.strip(), statuses);
        }

        private void send(String text) throws IOException {
            input.write(text);
            input.flush();
        }

        @Override
        public void close() {
            bash.destroy();
            try (Stream<Path> files = Files.list(directory)) {
                files.forEach(file -> file.toFile().delete());
                Files.deleteIfExists(directory);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /**
         * @param stdout   what the command printed
         * @param stderr   anything else it wrote to stderr
         * @param statuses the HTTP status of each curl, in order
         */
        record Result(String stdout, String stderr, List<Integer> statuses) {
        }
    }
}
