package io.clusterpeering.local;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.Micronaut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

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
 */
public final class LocalCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalCluster.class);

    private final EmbeddedDynamoDb dynamoDb;
    private final ApplicationContext context;

    private LocalCluster(EmbeddedDynamoDb dynamoDb, ApplicationContext context) {
        this.dynamoDb = dynamoDb;
        this.context = context;
    }

    /** Starts a cluster from the environment, then serves until the process is stopped. */
    public static void main(String[] args) {
        String datacenter = env("PEERING_DATACENTER", "dc1");
        String dataDir = env("PEERING_DATA_DIR", Path.of(".peering-data", datacenter).toString());
        LocalCluster cluster = start(":memory:".equals(dataDir) ? null : Path.of(dataDir), Map.of(), args);
        Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-shutdown"));
        LOG.info("cluster {} serves http://127.0.0.1:{} (the Peers page at /ui/; data: {})", datacenter,
                cluster.context.getProperty("micronaut.server.port", Integer.class).orElse(8500), dataDir);
    }

    /**
     * Starts a cluster. Without {@code peering.dynamodb.endpoint} among the properties it starts its own
     * DynamoDB Local; with one (another DynamoDB Local, LocalStack) it uses that endpoint.
     *
     * @param dataDir    where its own DynamoDB Local keeps its file, or null for memory only
     * @param properties configuration that overrides the environment and {@code application.properties}
     * @param args       command-line arguments for Micronaut
     * @return the running cluster; close it to stop the server and its DynamoDB Local
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
        try {
            ApplicationContext context = Micronaut.build(args).environments("local").properties(all)
                    .banner(false).start();
            return new LocalCluster(dynamoDb, context);
        } catch (RuntimeException e) {
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

    @Override
    public void close() {
        if (context.isRunning()) {
            context.close();
        }
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
