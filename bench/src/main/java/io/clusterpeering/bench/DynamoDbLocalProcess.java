package io.clusterpeering.bench;

import io.clusterpeering.local.EmbeddedDynamoDb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The one engine every figure runs against: Amazon's DynamoDB Local in memory ({@code -inMemory -sharedDb
 * -disableTelemetry}), in a JVM of its own on a free port of 127.0.0.1, so the measured JVMs share neither heap
 * nor JIT with it. Logging at WARN (at DEBUG, its Jetty slows every call). Stopped on close.
 */
public final class DynamoDbLocalProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private DynamoDbLocalProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts it with this JVM's classpath (which holds DynamoDB Local) and waits until it answers.
     *
     * @param logbackConfig the logging configuration to give it
     * @throws IllegalStateException when it does not answer within 90 s
     */
    public static DynamoDbLocalProcess start(Path logbackConfig, Path workDir) {
        int port = EmbeddedDynamoDb.freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx3g", "-XX:+UseParallelGC",
                "-Dlogback.configurationFile=" + logbackConfig, "-cp", System.getProperty("java.class.path"),
                "com.amazonaws.services.dynamodbv2.local.main.ServerRunner",
                "-inMemory", "-port", Integer.toString(port), "-sharedDb", "-disableTelemetry"))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(workDir.resolve("dynamodb-local.log").toFile());
        builder.environment().put("DDB_LOCAL_TELEMETRY", "0");
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DynamoDbLocalProcess local = new DynamoDbLocalProcess(process, port);
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "stop-dynamodb-local"));
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("DynamoDB Local exited; see " + workDir.resolve("dynamodb-local.log"));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(local.endpoint())).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                return local;
            } catch (IOException notYet) {
                sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        local.close();
        throw new IllegalStateException("DynamoDB Local did not answer within 90 s");
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The process ID, for the report. */
    public long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
