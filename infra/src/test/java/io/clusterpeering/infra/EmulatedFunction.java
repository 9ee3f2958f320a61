package io.clusterpeering.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One Lambda function run under AWS's Runtime Interface Emulator ({@code aws-lambda-rie}) with AWS's Java Runtime
 * Interface Client: each execution environment is one RIE process starting
 * {@code java -cp <runtime client> com.amazonaws.services.lambda.runtime.api.client.AWSLambda <handler>} with the
 * function's code unpacked as {@code LAMBDA_TASK_ROOT}, as Lambda's managed Java runtime loads it. Environments
 * start on first use and are reused; an invocation that finds every environment busy starts another one, as
 * Lambda scales out (so a function calling its own peer never waits on itself). The RIE's {@code REPORT} lines
 * are kept, with each environment's peak resident memory ({@code VmHWM}), which the RIE does not measure.
 */
final class EmulatedFunction implements AutoCloseable {
    private static final Pattern REPORT = Pattern.compile(
            "REPORT RequestId: \\S+\\s+(?:Init Duration: ([0-9.]+) ms\\s+)?Duration: ([0-9.]+) ms\\s+Billed Duration: [0-9.]+ ms\\s+"
                    + "Memory Size: (\\d+) MB\\s+Max Memory Used: (\\d+) MB");
    private static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** One {@code REPORT} line of an invocation, with the environment's peak RSS after it. */
    record Report(String function, Double initMillis, double durationMillis, int memorySizeMb, int maxMemoryUsedMb,
                  long peakRssKb) {
    }

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final int timeoutSeconds;
    private final Path logFile;
    private final ConcurrentLinkedDeque<Environment> idle = new ConcurrentLinkedDeque<>();
    private final List<Environment> all = new ArrayList<>();
    private final List<Report> reports = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * @param name        the function's logical ID, for logs and the report
     * @param rie         the {@code aws-lambda-rie} binary
     * @param runtimeClasspath the Runtime Interface Client and its libraries
     * @param handler     the template's {@code Handler}
     * @param environment the full environment of the runtime process (template variables, Lambda's own, overrides)
     * @param timeoutSeconds the template's {@code Timeout}
     * @param logDir      where each environment's output goes
     */
    EmulatedFunction(String name, Path rie, String runtimeClasspath, String handler, Map<String, String> environment,
                     int timeoutSeconds, Path logDir) {
        this.name = name;
        this.environment = environment;
        this.timeoutSeconds = timeoutSeconds;
        this.logFile = logDir.resolve(name.replace('/', '-') + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        // The runtime's own JVM flags, not the function's (those come from JAVA_TOOL_OPTIONS in the template): the
        // JVM sized for the function's memory as in its microVM, and the runtime client's JNI library unpacked once
        // (each Lambda environment has its own /tmp, where the client would otherwise unpack it; here environments
        // share one /tmp and would overwrite each other's copy while loading it).
        this.command = List.of(rie.toString(), "--log-level", "error", java.toString(),
                "-XX:MaxRAM=" + environment.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE") + "m",
                "-D" + JNI_PROPERTY + "=" + jniLibrary(runtimeClasspath, logDir.getParent()),
                "-cp", runtimeClasspath, "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler);
    }

    /** The runtime client's JNI library for this machine, unpacked from its jar into {@code dir} once. */
    private static synchronized Path jniLibrary(String runtimeClasspath, Path dir) {
        String arch = System.getProperty("os.arch").contains("aarch64") ? "linux-aarch_64" : "linux-x86_64";
        Path library = dir.resolve("libaws-lambda-jni." + arch + ".so");
        if (Files.isRegularFile(library)) {
            return library;
        }
        String ric = java.util.Arrays.stream(runtimeClasspath.split(java.io.File.pathSeparator))
                .filter(p -> p.contains("aws-lambda-java-runtime-interface-client")).findFirst().orElseThrow();
        try (var jar = new java.util.zip.ZipFile(ric)) {
            var entry = jar.getEntry("jni/libaws-lambda-jni." + arch + ".so");
            Files.createDirectories(dir);
            Path partial = dir.resolve(library.getFileName() + ".partial");
            try (InputStream in = jar.getInputStream(entry)) {
                Files.copy(in, partial, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, library, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            return library;
        } catch (IOException e) {
            throw new IllegalStateException("cannot unpack the runtime client's JNI library from " + ric, e);
        }
    }

    /** The function's logical ID. */
    String name() {
        return name;
    }

    /**
     * Invokes the function with an event's JSON and returns the answer's JSON, as Lambda's Invoke does.
     *
     * @throws IllegalStateException when the invocation fails (a function error, a timeout, a runtime that died)
     */
    String invoke(String event) {
        inFlight.incrementAndGet();
        try {
            return invokeInSomeEnvironment(event);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Invocations running now. */
    int inFlight() {
        return inFlight.get();
    }

    private String invokeInSomeEnvironment(String event) {
        Environment env = idle.pollFirst();
        if (env == null) {
            env = start();
        }
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + env.port
                            + "/2015-03-31/functions/function/invocations"))
                    .timeout(Duration.ofSeconds(timeoutSeconds + 30L))
                    .POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
            String body = response.body();
            completed.incrementAndGet();
            if (response.statusCode() != 200 || body.contains("\"errorType\"") && body.contains("\"errorMessage\"")) {
                throw new IllegalStateException(name + " failed (" + response.statusCode() + "): " + body
                        + "\n  log: " + logFile);
            }
            return body;
        } catch (IOException e) {
            throw new IllegalStateException(name + ": invocation did not complete: " + e + "\n  log: " + logFile, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (env.process.isAlive()) {
                idle.addFirst(env);
            }
        }
    }

    private synchronized Environment start() {
        int port = io.clusterpeering.local.EmbeddedDynamoDb.freePort();
        int runtimeApiPort = io.clusterpeering.local.EmbeddedDynamoDb.freePort();
        List<String> args = new ArrayList<>(command);
        args.addAll(1, List.of("--runtime-interface-emulator-address", "127.0.0.1:" + port,
                "--runtime-api-address", "127.0.0.1:" + runtimeApiPort));
        // The runtime client loads the function's classes from its working directory, /var/task on Lambda.
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true)
                .directory(Path.of(environment.get("LAMBDA_TASK_ROOT")).toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            Environment env = new Environment(process, port, all.size() + 1);
            all.add(env);
            Thread reader = new Thread(() -> env.pump(), name + "-rie-" + env.number);
            reader.setDaemon(true);
            reader.start();
            waitForPort(port, process);
            return env;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + args.get(0) + ": " + e.getMessage(), e);
        }
    }

    private void waitForPort(int port, Process process) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(name + ": the RIE exited with " + process.exitValue() + "; log: " + logFile);
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw new IllegalStateException(name + ": the RIE did not listen on " + port);
    }

    /** Invocations answered so far (each should have its REPORT line). */
    int completed() {
        return completed.get();
    }

    /** Every REPORT line so far. */
    synchronized List<Report> reports() {
        return List.copyOf(reports);
    }

    @Override
    public synchronized void close() {
        for (Environment env : all) {
            env.process.descendants().forEach(ProcessHandle::destroy);
            env.process.destroy();
        }
    }

    /** One execution environment: an RIE process and the runtime JVM it started. */
    private final class Environment {
        final Process process;
        final int port;
        final int number;

        Environment(Process process, int port, int number) {
            this.process = process;
            this.port = port;
            this.number = number;
        }

        void pump() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 var log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8,
                         java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                while ((line = lines.readLine()) != null) {
                    log.write("[" + number + "] " + line);
                    log.newLine();
                    log.flush();
                    Matcher m = REPORT.matcher(line);
                    if (m.find()) {
                        Double init = m.group(1) == null ? null : Double.valueOf(m.group(1));
                        Report report = new Report(name, init, Double.parseDouble(m.group(2)), Integer.parseInt(m.group(3)),
                                Integer.parseInt(m.group(4)), peakRssKb().orElse(-1L));
                        synchronized (EmulatedFunction.this) {
                            reports.add(report);
                        }
                    }
                }
            } catch (IOException ended) {
                // the process ended
            }
        }

        /** The runtime JVM's peak resident set ({@code VmHWM} of the RIE's java child). */
        Optional<Long> peakRssKb() {
            return process.descendants().filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false))
                    .findFirst().flatMap(p -> {
                        try {
                            return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
                                    .filter(l -> l.startsWith("VmHWM:"))
                                    .map(l -> Long.parseLong(l.replaceAll("\\D", "")))
                                    .findFirst();
                        } catch (IOException gone) {
                            return Optional.empty();
                        }
                    });
        }
    }
}
