package io.clusterpeering.bench;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.store.CatalogStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 21's registration cost by service size: several callers registering new instances into one service of
 * 10,000 instances, beside the same callers registering into an empty service of the same catalog, in turns (so
 * both meet the same engine, stream and machine). Twice: every instance on a node of its own, and all on 50
 * shared nodes whose fields stay as registered (an agent registering its node's services). Target: the rate into
 * the large service at least 0.8× the rate into the empty one.
 */
final class RegisterScaleSection implements Section {
    static final String TITLE = "Scale: registrations into a large service";
    static final int LARGE = 10_000;
    static final int CALLERS = 4;
    static final int SHARED_NODES = 50;
    /** Rate into the large service ≥ 0.8× the rate into an empty one, as a "ratio ≤" target on empty / large. */
    static final double TARGET = 1 / 0.8;
    private static final Map<String, Object> QUIET = Map.of("peering.heartbeat-interval", "10m",
            "peering.heartbeat-timeout", "60m", "peering.local.stream-poll-interval", "200ms");

    @Override
    public String id() {
        return "scale-register";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        boolean quick = run.options().quick();
        int rounds = quick ? 2 : 4;
        int perRound = quick ? 100 : 200;
        layout(run, 0, false, rounds, perRound);
        layout(run, SHARED_NODES, false, rounds, perRound);
        // A node change rewrites the node's copies: fewer registrations, or the run takes many minutes.
        layout(run, SHARED_NODES, true, rounds, perRound / 4);
        run.results().note(TITLE, "Each layout on an empty DynamoDB Local of its own and one local cluster (stream poller "
                + "every 200 ms, nothing exported): `large` is bulk-loaded with " + String.format(Locale.ROOT, "%,d", LARGE)
                + " instances (`CatalogStore.bulkLoad`, item for item what registrations write) and the stream poller "
                + "catches up; then " + CALLERS + " callers register new instances through the register function, "
                + "in rounds that alternate between `large` and a service that starts empty, so both rates meet the same "
                + "engine (whose writes slow down as its stream grows) and the same machine. Shared nodes: each "
                + "registration names one of " + SHARED_NODES + " nodes with the fields it was loaded with, so the node "
                + "is unchanged and only the instance, its pointer and the service's head are written. Changing shared nodes: "
                + "each registration also gives its node a new `NodeMeta` value, so the node's fields are copied into "
                + "every instance on it (" + LARGE / SHARED_NODES + " in `large`, a few in the empty service: each "
                + "service has nodes of its own).");
    }

    private static void layout(BenchRun run, int nodes, boolean nodeChanges, int rounds, int perRound) throws Exception {
        String layout = nodes == 0 ? "distinct nodes" : nodes + (nodeChanges ? " shared nodes, each registration changing its node"
                : " shared nodes");
        try (DynamoDbLocalProcess engine = run.freshEngine();
             LocalCluster local = Cluster.local(run, engine.endpoint(), "dc1", new HashMap<>(QUIET))) {
            Cluster cluster = Cluster.over(local);
            run.progress().step(layout + ": bulk-loading " + String.format(Locale.ROOT, "%,d", LARGE) + " instances");
            List<CatalogStore.Registration> load = new ArrayList<>();
            for (int i = 0; i < LARGE; i++) {
                load.add(registration("large", i, nodes, false));
            }
            local.context().getBean(CatalogStore.class).bulkLoad("default", load);
            ImportScaleSection.waitFor(Duration.ofMinutes(30), 200, () -> ImportScaleSection.caughtUp(local));
            run.progress().step(layout + ": warming up");
            registrations(cluster, "warm", 0, perRound / 2, nodes, nodeChanges);
            double largeSeconds = 0;
            double emptySeconds = 0;
            for (int round = 0; round < rounds; round++) {
                run.progress().step(layout + ": round " + (round + 1) + "/" + rounds);
                int first = LARGE + round * perRound;
                emptySeconds += registrations(cluster, "empty", first, perRound, nodes, nodeChanges);
                largeSeconds += registrations(cluster, "large", first, perRound, nodes, nodeChanges);
            }
            int count = rounds * perRound;
            double largeRate = count / largeSeconds;
            double emptyRate = count / emptySeconds;
            String id = "scale.register." + (nodes == 0 ? "distinct" : "shared" + nodes)
                    + (nodeChanges ? ".node-changes" : "");
            run.results().add(Figure.versus(id, TITLE, String.format(Locale.ROOT,
                            "registrations/s into a service of %,d instances, %d callers, %s", LARGE, CALLERS, layout),
                    largeRate, "reg/s", "same into an empty service", emptyRate,
                    String.format(Locale.ROOT, "%d registrations each, %d rounds alternating", count, rounds), null)
                    .rate().target(TARGET));
        }
    }

    /** New instances {@code first..first+count-1} of the service from {@link #CALLERS} callers: seconds taken. */
    private static double registrations(Cluster cluster, String service, int first, int count, int nodes,
                                        boolean nodeChanges) throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < CALLERS; c++) {
                int caller = c;
                done.add(callers.submit(() -> {
                    for (int i = first + caller; i < first + count; i += CALLERS) {
                        cluster.ok("PUT", "/v1/catalog/register", json(service, i, nodes, nodeChanges));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return (System.nanoTime() - start) / 1e9;
        } finally {
            callers.shutdown();
        }
    }

    private static String node(String service, int i, int nodes) {
        return nodes == 0 ? "node-" + service + "-" + i : "node-" + service + "-shared-" + (i % nodes);
    }

    /** A node's address: fixed per node, so a shared node is registered unchanged. */
    private static String address(String node) {
        int h = node.hashCode() & 0xffffff;
        return "10." + (h >> 16 & 255) + "." + (h >> 8 & 255) + "." + (h & 255);
    }

    private static CatalogStore.Registration registration(String service, int i, int nodes, boolean nodeChanges) {
        String node = node(service, i, nodes);
        String id = service + "-" + i;
        return new CatalogStore.Registration(node, "", address(node), "dc1", nodeMeta(i, nodeChanges), Map.of(),
                new CatalogStore.Instance(id, service, List.of("v1"), "", 8080, Map.of("version", "1.0")),
                List.of(new HealthCheck(node, id + "-http", "http", "passing", "", "HTTP GET /health: 200 OK", id,
                        service, "http")));
    }

    /** The node's metadata: the same every time, or with a value of this registration's own when nodes change. */
    private static Map<String, String> nodeMeta(int i, boolean nodeChanges) {
        return nodeChanges ? Map.of("rack", "r1", "generation", Integer.toString(i)) : Map.of("rack", "r1");
    }

    private static String json(String service, int i, int nodes, boolean nodeChanges) {
        String node = node(service, i, nodes);
        String id = service + "-" + i;
        StringBuilder meta = new StringBuilder();
        nodeMeta(i, nodeChanges).forEach((k, v) -> meta.append(meta.length() == 0 ? "" : ",")
                .append('"').append(k).append("\":\"").append(v).append('"'));
        return "{\"Node\":\"" + node + "\",\"Address\":\"" + address(node) + "\",\"Datacenter\":\"dc1\","
                + "\"NodeMeta\":{" + meta + "},"
                + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"" + service + "\",\"Port\":8080,\"Tags\":[\"v1\"],"
                + "\"Meta\":{\"version\":\"1.0\"}},"
                + "\"Check\":{\"CheckID\":\"" + id + "-http\",\"Name\":\"http\",\"Status\":\"passing\","
                + "\"Output\":\"HTTP GET /health: 200 OK\",\"ServiceID\":\"" + id + "\",\"Type\":\"http\"}}";
    }
}
