package io.clusterpeering.local;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.server.netty.NettyEmbeddedServer;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.micronaut.scheduling.TaskExecutors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one cluster on this machine: DynamoDB Local inside the JVM, an HTTP server (default 127.0.0.1:8500)
 * that hands each request to the same function classes as API Gateway does in AWS, the stream poller that
 * drives the deletion handler, and the heartbeat schedule. No AWS account and no Docker.
 *
 * <p>Settings (environment variables): {@code MICRONAUT_SERVER_PORT} (default 8500), {@code PEERING_DATACENTER}
 * (default {@code dc1}), {@code PEERING_DATA_DIR} (where DynamoDB Local keeps its file; default
 * {@code .peering-data/<datacenter>}; {@code :memory:} keeps nothing), {@code PEERING_UI_DIR} (the Peers page's
 * folder, served at {@code /ui/}; default: the repository's {@code ui/}). Any other {@code peering.*} key can be set
 * the same way, for example {@code PEERING_HEARTBEAT_INTERVAL=5s}.
 *
 * <p>Stopping has one owner, {@link #close()}: the application context is started without Micronaut's own
 * JVM shutdown hook (which stops the HTTP server and the context from a second thread, and deadlocked against
 * ours), and {@link #main} registers the only hook. {@code close()} stops, in this order and each with a log
 * line and a time bound: the HTTP server (new connections refused at once, requests in progress given half a
 * second), the stream poller, the heartbeat schedule, the application context
 * (its clients and executors), then DynamoDB Local. Ctrl-C (SIGINT) and SIGTERM end the process within
 * {@link #STOP_BUDGET}.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);
    /** How long {@link #close()} takes at most, every step included. */
    public static final Duration STOP_BUDGET = Duration.ofSeconds(4);
    private static final Duration STEP_LIMIT = Duration.ofMillis(1500);
    private static final Duration RUN_GRACE = Duration.ofMillis(500);

    private final EmbeddedDynamoDb dynamoDb;
    private final ApplicationContext context;
    private final NettyEmbeddedServer server;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalCluster(EmbeddedDynamoDb dynamoDb, ApplicationContext context, NettyEmbeddedServer server) {
        this.dynamoDb = dynamoDb;
        this.context = context;
        this.server = server;
    }

    /**
     * Starts a cluster from the environment and serves until the process gets SIGINT or SIGTERM. Exits with
     * status 1, after one log line saying why, when the cluster cannot start (the port is taken, say).
     */
    public static void main(String[] args) {
        String datacenter = env("PEERING_DATACENTER", "dc1");
        String dataDir = env("PEERING_DATA_DIR", Path.of(".peering-data", datacenter).toString());
        LocalCluster cluster;
        try {
            cluster = start(":memory:".equals(dataDir) ? null : Path.of(dataDir), Map.of(), args);
        } catch (RuntimeException e) {
            LOG.error("cluster {} did not start: {}", datacenter, e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-shutdown"));
        LOG.info("cluster {} serves http://127.0.0.1:{} (the Peers page at /ui/; data: {}; DynamoDB Local: {}); "
                        + "stop it with Ctrl-C", datacenter, cluster.port(), dataDir,
                cluster.dynamoDb == null ? "not started, using " + cluster.context.getProperty(
                        "peering.dynamodb.endpoint", String.class).orElse("?") : cluster.dynamoDb.endpoint());
    }

    /**
     * Starts a cluster. Without {@code peering.dynamodb.endpoint} among the properties it starts its own
     * DynamoDB Local; with one (another DynamoDB Local, LocalStack) it uses that endpoint. Registers no JVM
     * shutdown hook: whoever starts it closes it.
     *
     * @param dataDir    where its own DynamoDB Local keeps its file, or null for memory only
     * @param properties configuration that overrides the environment and {@code application.properties}
     * @param args       command-line arguments for Micronaut
     * @return the running cluster; close it to stop the server and its DynamoDB Local
     * @throws RuntimeException when DynamoDB Local, the context or the HTTP server does not start; whatever
     *                          had started is stopped again
     */
    public static LocalCluster start(Path dataDir, Map<String, Object> properties, String... args) {
        Map<String, Object> all = new HashMap<>();
        all.put("peering.dynamodb.create-table", true);
        all.putAll(properties);
        EmbeddedDynamoDb dynamoDb = null;
        if (!all.containsKey("peering.dynamodb.endpoint")) {
            dynamoDb = EmbeddedDynamoDb.start(dataDir);
            all.put("peering.dynamodb.endpoint", dynamoDb.endpoint());
        }
        ApplicationContext context = null;
        try {
            // The context and the server are started here rather than by Micronaut.run(), which would add
            // Micronaut's own JVM shutdown hook: close() is the one way this cluster stops.
            context = ApplicationContext.builder().args(args).environments("local").properties(all)
                    .banner(false).start();
            NettyEmbeddedServer server = context.getBean(NettyEmbeddedServer.class);
            server.start();
            return new LocalCluster(dynamoDb, context, server);
        } catch (RuntimeException e) {
            if (context != null && context.isRunning()) {
                context.close();
            }
            if (dynamoDb != null) {
                dynamoDb.close();
            }
            throw e;
        }
    }

    /** The application context, for tests. */
    public ApplicationContext context() {
        return context;
    }

    /** The HTTP port the server listens on. */
    public int port() {
        return server.getPort();
    }

    /**
     * The endpoint of this cluster's own DynamoDB Local, {@code http://127.0.0.1:<port>}, or empty when it uses
     * another endpoint.
     */
    public java.util.Optional<String> dynamoDbEndpoint() {
        return java.util.Optional.ofNullable(dynamoDb).map(EmbeddedDynamoDb::endpoint);
    }

    /**
     * Stops the cluster, once (later calls do nothing): the HTTP server (no new requests), the stream poller,
     * the heartbeat schedule, the application context, then DynamoDB Local. Each step is logged with its time
     * and bounded; a step that overruns is logged and left behind, so the whole takes at most
     * {@link #STOP_BUDGET}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + STOP_BUDGET.toNanos();
        String datacenter = context.getProperty("peering.datacenter", String.class).orElse("?");
        LOG.info("stopping cluster {}", datacenter);
        int port = port();
        step("HTTP server (port " + port + ")", deadline, this::stopServer);
        step("stream poller", deadline,
                () -> requireStopped(context.getBean(LocalStreamPoller.class).stop(RUN_GRACE)));
        step("heartbeat schedule", deadline, () -> {
            requireStopped(context.getBean(LocalHeartbeatSchedule.class).stop(RUN_GRACE));
            // Micronaut looks the bean up again on every scheduled run: once the context starts destroying
            // beans, a run would build a fresh, unstopped poller. No scheduled task may run from here on.
            context.findBean(ExecutorService.class, Qualifiers.byName(TaskExecutors.SCHEDULED))
                    .ifPresent(ExecutorService::shutdownNow);
        });
        step("application context", deadline, () -> {
            if (context.isRunning()) {
                context.close();
            }
        });
        if (dynamoDb != null) {
            step("DynamoDB Local (" + dynamoDb.endpoint() + ")", deadline, dynamoDb::close);
        }
        LOG.info("cluster {} stopped in {} ms", datacenter, (System.nanoTime() - start) / 1_000_000);
    }

    /**
     * Stops taking connections at once, lets requests in progress finish for up to {@link #RUN_GRACE} (a
     * blocking query may wait far longer; it is cut off), then closes the server's channels and event loops.
     */
    private void stopServer() {
        try {
            server.shutdownGracefully().toCompletableFuture().get(RUN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.info("requests still in progress after {} ms are cut off", RUN_GRACE.toMillis());
        } catch (ExecutionException e) {
            LOG.warn("draining the HTTP server failed: {}", e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stopServerOnly();
    }

    /**
     * Runs one stop step on a thread of its own and waits for it at most {@link #STEP_LIMIT} and never past
     * the deadline ({@link System#nanoTime()}), logging the outcome; an overrunning step keeps running on its
     * daemon thread while the next one starts.
     */
    private static void step(String what, long deadline, Runnable action) {
        long start = System.nanoTime();
        long limit = Math.max(100, Math.min(STEP_LIMIT.toMillis(), (deadline - start) / 1_000_000));
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(() -> {
            try {
                action.run();
            } catch (RuntimeException | Error e) {
                failure[0] = e;
            }
        }, "local-cluster-stop");
        thread.setDaemon(true);
        thread.start();
        try {
            thread.join(limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (thread.isAlive()) {
            LOG.warn("{} did not stop within {} ms; going on", what, limit);
        } else if (failure[0] != null) {
            LOG.warn("{} failed to stop cleanly after {} ms: {}", what, millis, failure[0].getMessage());
        } else {
            LOG.info("stopped {} in {} ms", what, millis);
        }
    }

    private static void requireStopped(boolean stopped) {
        if (!stopped) {
            throw new IllegalStateException("its run in progress did not end after an interrupt");
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
