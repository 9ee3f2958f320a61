package io.clusterpeering.bench;

import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An acceptor with live and dead peerings, on a fresh DynamoDB Local of its own: local clusters dc1 (the acceptor,
 * 5 s peer-call timeout), dc2 (the live dialer) and dc3 (the dead dialer, stopped once established, its address then
 * held by a listener that accepts and never answers, so each call to it waits out the timeout). The acceptor names
 * its peerings {@code live-0000...} and {@code dead-0000...}. The clusters other than the acceptor do not beat on
 * their own (10 minute interval). Closing stops them all and the engine.
 */
final class PeeredAcceptor implements AutoCloseable {
    /** The acceptor's peer-call timeout, the stack's default (application.properties). */
    static final java.time.Duration PEER_CALL_TIMEOUT = java.time.Duration.ofSeconds(5);

    private final DynamoDbLocalProcess engine;
    private final LocalCluster acceptor;
    private final LocalCluster live;
    private final SilentListener silent;

    private PeeredAcceptor(DynamoDbLocalProcess engine, LocalCluster acceptor, LocalCluster live, SilentListener silent) {
        this.engine = engine;
        this.acceptor = acceptor;
        this.live = live;
        this.silent = silent;
    }

    /**
     * Starts the clusters and establishes the peerings.
     *
     * @param at what the progress line says of this size, for example {@code 1,000 peerings}
     * @throws Exception when a cluster does not start or a peering is not established
     */
    static PeeredAcceptor start(BenchRun run, int liveCount, int deadCount, String at) throws Exception {
        Map<String, Object> quiet = new HashMap<>(Map.of("peering.heartbeat-interval", "10m",
                "peering.heartbeat-timeout", "60m", "peering.peer-call-timeout", "30s"));
        Map<String, Object> acceptorSettings = new HashMap<>(quiet);
        acceptorSettings.put("peering.peer-call-timeout", PEER_CALL_TIMEOUT.toSeconds() + "s");
        int deadPort = EmbeddedDynamoDb.freePort();
        Map<String, Object> deadSettings = new HashMap<>(quiet);
        deadSettings.put("micronaut.server.port", deadPort);
        deadSettings.put("peering.advertise-url", "http://127.0.0.1:" + deadPort);
        DynamoDbLocalProcess engine = run.freshEngine();
        LocalCluster acceptorCluster = null;
        LocalCluster liveCluster = null;
        try {
            acceptorCluster = Cluster.local(run, engine.endpoint(), "dc1", acceptorSettings);
            liveCluster = Cluster.local(run, engine.endpoint(), "dc2", quiet);
            Cluster acceptor = Cluster.over(acceptorCluster);
            try (LocalCluster deadCluster = Cluster.local(run, engine.endpoint(), "dc3", deadSettings)) {
                establishMany(run, acceptor, Cluster.over(liveCluster), "live-", liveCount, at);
                establishMany(run, acceptor, Cluster.over(deadCluster), "dead-", deadCount, at);
            }
            return new PeeredAcceptor(engine, acceptorCluster, liveCluster, SilentListener.start(deadPort));
        } catch (Exception | Error e) {
            for (AutoCloseable c : new AutoCloseable[]{liveCluster, acceptorCluster, engine}) {
                if (c != null) {
                    c.close();
                }
            }
            throw e;
        }
    }

    /** The acceptor cluster (dc1). */
    LocalCluster acceptor() {
        return acceptor;
    }

    @Override
    public void close() throws Exception {
        try (engine; acceptor; live; silent) {
            // closed in reverse order: the listener, the live dialer, the acceptor, the engine
        }
    }

    /**
     * Establishes {@code count} peerings, 4 at a time: the acceptor generates a token named {@code prefix + 0000...},
     * the dialer establishes {@code to-<name>} with it.
     *
     * @throws Exception when a call does not answer 200
     */
    private static void establishMany(BenchRun run, Cluster acceptor, Cluster dialer, String prefix, int count, String at)
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
    private static final class SilentListener implements AutoCloseable {
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
