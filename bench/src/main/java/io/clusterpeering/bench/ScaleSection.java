package io.clusterpeering.bench;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.service.HeartbeatService;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Issue 10's peering scale, at 1×, 10× and 100× ({@code --peering-scales}): 10 / 100 / 1,000 established peerings on
 * one acceptor, 5 % of them dead (their dialer is gone and a listener on its address accepts and never answers, so
 * each heartbeat to them waits out the 5 s peer-call timeout). Per size: {@code GET /v1/peerings} and
 * {@code GET /v1/peering/{name}} beside the raw DynamoDB calls they make (every page), the list's size, and one
 * local heartbeat round (heartbeat and resync of every peering, {@code PEERING_HEARTBEAT_CONCURRENCY} at once)
 * beside Consul's 15 s heartbeat interval, which a round must fit in.
 */
final class ScaleSection implements Section {
    static final String TITLE = "Scale: peerings";
    static final double INTERVAL_SECONDS = 15;

    @Override
    public String id() {
        return "scale-peerings";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        List<Integer> scales = run.options().peeringScales();
        double[][] list = new double[2][scales.size()];
        double[][] listRaw = new double[2][scales.size()];
        double[][] round = new double[2][scales.size()];
        for (int s = 0; s < scales.size(); s++) {
            int total = 10 * scales.get(s);
            double[] figures = size(run, total);
            list[0][s] = listRaw[0][s] = round[0][s] = total;
            list[1][s] = figures[0];
            listRaw[1][s] = figures[1];
            round[1][s] = figures[2];
        }
        Map<String, double[][]> reads = new LinkedHashMap<>();
        reads.put("GET /v1/peerings p50 (ms)", list);
        reads.put("raw Query pages p50 (ms)", listRaw);
        reads.put("heartbeat round (s)", round);
        Charts.curves(run.results().dir().resolve("scale-peerings.png"), "List and heartbeat round by number of peerings",
                "peerings", "ms / s", reads, true);
        run.results().note(TITLE, "Each size: three local clusters on an empty DynamoDB Local of its own. The acceptor generates a "
                + "token per peering; 95 % are established by a live dialer cluster, 5 % by a cluster that is then "
                + "stopped, its address taken by a listener that never answers. Reads are the functions in this JVM "
                + "beside the raw DynamoDB calls one invocation made (recorded, replayed with the same client). The "
                + "round is `HeartbeatService.sendHeartbeats` on the acceptor, the local schedule's round (in AWS each "
                + "peering is its own SQS message taken by bounded workers, so a round is not one Lambda's work); its "
                + "ratio is to Consul's 15 s interval.");
    }

    /** One size: {list p50 ms, raw list p50 ms, round s}. */
    private static double[] size(BenchRun run, int total) throws Exception {
        int dead = Math.max(1, total / 20);
        String at = String.format(Locale.ROOT, "%,d peerings", total);
        Map<String, Object> quiet = new HashMap<>(Map.of("peering.heartbeat-interval", "10m",
                "peering.heartbeat-timeout", "60m", "peering.peer-call-timeout", "30s"));
        Map<String, Object> acceptorSettings = new HashMap<>(quiet);
        acceptorSettings.put("peering.peer-call-timeout", "5s");
        int deadPort = EmbeddedDynamoDb.freePort();
        Map<String, Object> deadSettings = new HashMap<>(quiet);
        deadSettings.put("micronaut.server.port", deadPort);
        deadSettings.put("peering.advertise-url", "http://127.0.0.1:" + deadPort);
        try (DynamoDbLocalProcess engine = run.freshEngine();
             LocalCluster acceptorCluster = Cluster.local(run, engine.endpoint(), "dc1", acceptorSettings);
             LocalCluster liveCluster = Cluster.local(run, engine.endpoint(), "dc2", quiet)) {
            Cluster acceptor = Cluster.over(acceptorCluster);
            try (LocalCluster deadCluster = Cluster.local(run, engine.endpoint(), "dc3", deadSettings)) {
                establishMany(run, acceptor, Cluster.over(liveCluster), "live-", total - dead, at);
                establishMany(run, acceptor, Cluster.over(deadCluster), "dead-", dead, at);
            }
            try (SilentListener ignored = SilentListener.start(deadPort)) {
                int samples = run.options().quick() ? 20 : Math.max(20, 200 / Math.max(1, total / 100));
                run.progress().step(at + ": list and read");
                ImportScaleSection.Read listRead = ImportScaleSection.read(acceptor, "/v1/peerings", samples);
                ImportScaleSection.Read oneRead = ImportScaleSection.read(acceptor, "/v1/peering/live-0003", samples);
                String id = "scale.peerings." + total;
                listRead.add(run.results(), TITLE, id + ".list", "GET /v1/peerings, " + at);
                oneRead.add(run.results(), TITLE, id + ".read", "GET /v1/peering/{name}, " + at);
                HeartbeatService heartbeats = acceptorCluster.context().getBean(HeartbeatService.class);
                int rounds = run.options().quick() ? 1 : 3;
                List<Long> millis = new ArrayList<>();
                HeartbeatService.Result result = null;
                for (int j = 0; j < rounds; j++) {
                    run.progress().step(at + ": heartbeat round " + (j + 1) + "/" + rounds);
                    long start = System.nanoTime();
                    result = heartbeats.sendHeartbeats();
                    millis.add((System.nanoTime() - start) / 1_000_000);
                }
                double seconds = Stats.median(millis) / 1000.0;
                run.results().add(Figure.versus(id + ".round", TITLE, "heartbeat round (heartbeat + resync each), " + at
                                + ", " + dead + " dead", seconds, "s", "Consul's heartbeat interval", INTERVAL_SECONDS,
                        String.format(Locale.ROOT, "median of %d rounds %s ms; last: %d delivered, %d failed", rounds,
                                Stats.list(millis), result.delivered(), result.failed()), "scale-peerings.png")
                        .target(1.0));
                return new double[]{Latency.ms(listRead.function(), 50), Latency.ms(listRead.raw(), 50), seconds};
            }
        }
    }

    /**
     * Establishes {@code count} peerings, 4 at a time: the acceptor generates a token named {@code prefix + 0000...},
     * the dialer establishes {@code to-<name>} with it.
     *
     * @throws Exception when a call does not answer 200
     */
    static void establishMany(BenchRun run, Cluster acceptor, Cluster dialer, String prefix, int count, String at)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = prefix + String.format("%04d", i);
                done.add(pool.submit(() -> {
                    String token = acceptor.ok("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}")
                            .get("PeeringToken").asText();
                    dialer.ok("POST", "/v1/peering/establish", "{\"PeerName\":\"to-" + name + "\",\"PeeringToken\":\""
                            + token + "\"}");
                    return null;
                }));
            }
            for (int i = 0; i < done.size(); i++) {
                if (i % 50 == 0) {
                    run.progress().step(at + ": establishing " + prefix + "* " + i + "/" + count);
                }
                done.get(i).get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Accepts connections and never answers: a peer that is there and dead (each call waits out its timeout). */
    static final class SilentListener implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();

        private SilentListener(ServerSocket server) {
            this.server = server;
        }

        static SilentListener start(int port) throws IOException {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            SilentListener listener = new SilentListener(server);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        listener.held.add(socket);
                        Thread drain = new Thread(() -> {
                            try (InputStream in = socket.getInputStream()) {
                                in.transferTo(java.io.OutputStream.nullOutputStream());
                            } catch (IOException ignored) {
                                // closed
                            }
                        });
                        drain.setDaemon(true);
                        drain.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "silent-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
            return listener;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
