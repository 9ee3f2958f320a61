package io.clusterpeering.bench;

import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.local.EmbeddedDynamoDb;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.local.LocalStreamPoller;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.service.HeartbeatService;
import io.clusterpeering.service.ReplicationService;
import io.clusterpeering.service.ReplicationTraffic;
import io.clusterpeering.store.CatalogBulkLoad;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.support.ConsulHttp;
import io.clusterpeering.support.PeeringFlow;
import io.clusterpeering.support.TcpForwarder;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The scale benchmark of issue 10, at 1×, 10× and 100×: 1,000 / 10,000 / 100,000 imported instances (five exported
 * services of 200 × scale instances) and 10 / 100 / 1,000 peerings (5 % of them dead: a listener that accepts and
 * never answers, so each of their heartbeats waits out the peer-call timeout). Every size runs on fresh local
 * clusters over DynamoDB Local in this JVM. It prints, per size: bytes and time of a single-instance change (from
 * the registration until the peer holds it), the cost of a resync with nothing changed, list and health read
 * latency, registrations per second, the heartbeat round time, and the purge rate against raw BatchWriteItem
 * deletes of the same items with the same parallelism (4). Medians and p99 come from HdrHistogram. A benchmark, not a
 * test:
 * <pre>
 * MAVEN_OPTS=-Xmx8g mvn -q -pl functions test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=io.clusterpeering.bench.ScaleBenchmark [-Dexec.args=1,10,100]
 * </pre>
 */
public final class ScaleBenchmark {
    private static final List<String> SERVICES = List.of("svc-1", "svc-2", "svc-3", "svc-4", "svc-5");
    private static final int PER_SERVICE_AT_1X = 200;
    private static final int PEERINGS_AT_1X = 10;
    private static final int CHANGES = 20;
    private static final int RESYNCS = 10;
    private static final int HTTP_REGISTRATIONS = 500;
    private static final int PURGE_PARALLELISM = 4;
    private static final Map<String, Object> QUIET = Map.of("peering.heartbeat-interval", "10m",
            "peering.heartbeat-timeout", "60m", "peering.peer-call-timeout", "30s");

    private ScaleBenchmark() {
    }

    /** One size's replication figures. */
    record Replication(int scale, int imported, double fillRate, double httpRate, double syncSeconds,
                       Histogram change, long changeBytes, long changeMessages, Histogram resync, long resyncBytes,
                       long resyncResends, Histogram peerHealth, long peerHealthBytes, Histogram peerServices,
                       Histogram localHealth, int purgedItems, double purgeRate, double rawRate) {
    }

    /** One size's peering figures. */
    record Peerings(int scale, int peerings, int dead, Histogram list, long listBytes, Histogram round, int delivered,
                    int failed) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> scales = new ArrayList<>();
        for (String scale : (args.length > 0 ? args[0] : "1,10,100").split(",")) {
            scales.add(Integer.parseInt(scale.trim()));
        }
        System.out.printf("ScaleBenchmark on %d cores, JVM %s, max heap %d MB, load average %s%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(),
                Runtime.getRuntime().maxMemory() >> 20, loadAverage());
        List<Replication> replications = new ArrayList<>();
        List<Peerings> peerings = new ArrayList<>();
        for (int scale : scales) {
            replications.add(replication(scale));
            print(replications, peerings);
            peerings.add(peerings(scale));
            print(replications, peerings);
        }
        System.exit(0);
    }

    // ------------------------------------------------------------------ replication

    private static Replication replication(int scale) throws Exception {
        int perService = PER_SERVICE_AT_1X * scale;
        log("%d×: %d instances in %d services", scale, perService * SERVICES.size(), SERVICES.size());
        try (LocalCluster dc1 = PeeringFlow.startCluster("dc1", QUIET); LocalCluster dc2 = PeeringFlow.startCluster("dc2", QUIET)) {
            ConsulHttp exporter = PeeringFlow.client(dc1);
            ConsulHttp importer = PeeringFlow.client(dc2);
            check(PeeringFlow.establish(importer, "exporter", PeeringFlow.generate(exporter, "importer")));
            PeeringKey peer = new PeeringKey("default", "exporter");
            CatalogStore exporterCatalog = dc1.context().getBean(CatalogStore.class);
            CatalogStore importerCatalog = dc2.context().getBean(CatalogStore.class);

            // Setup: bulk-load the exporter's catalog (item for item what registrations write, see CatalogBulkLoad).
            long loadStart = System.nanoTime();
            List<CatalogBulkLoad.Loaded> load = new ArrayList<>();
            for (String service : SERVICES) {
                for (int i = 0; i < perService; i++) {
                    CatalogStore.Registration r = registration(service, i, "v1");
                    load.add(new CatalogBulkLoad.Loaded(r, service, r.instance().serviceId(), r.instance().tags(),
                            r.instance().port(), r.instance().meta(), r.checks()));
                }
            }
            CatalogBulkLoad.load(dc1.context().getBean(DynamoDbClient.class),
                    dc1.context().getProperty("peering.dynamodb.table-name", String.class).orElseThrow(), "default", load);
            log("  bulk-loaded in %.1f s", seconds(loadStart));
            waitFor(Duration.ofMinutes(30), () -> caughtUp(dc1));

            double fillRate = inProcessRegistrations(exporterCatalog);
            log("  %.0f registrations/s in process", fillRate);
            double httpRate = httpRegistrations(exporter);
            log("  %.0f registrations/s through HTTP", httpRate);

            long syncStart = System.nanoTime();
            StringBuilder list = new StringBuilder();
            for (String service : SERVICES) {
                list.append(list.length() == 0 ? "" : ",").append("{\"Name\":\"").append(service)
                        .append("\",\"Consumers\":[{\"Peer\":\"importer\"}]}");
            }
            check(exporter.send("PUT", "/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\",\"Services\":["
                    + list + "]}"));
            Map<String, Long> exported = new HashMap<>();
            SERVICES.forEach(service -> exported.put(service, exporterCatalog.localService("default", service).count()));
            waitFor(Duration.ofMinutes(60), () -> SERVICES.stream()
                    .allMatch(service -> importerCatalog.importedService(peer, service).count() == exported.get(service)));
            double syncSeconds = seconds(syncStart);
            log("  initial sync in %.1f s", syncSeconds);
            waitFor(Duration.ofMinutes(30), () -> caughtUp(dc1) && caughtUp(dc2));

            ReplicationTraffic traffic = dc1.context().getBean(ReplicationTraffic.class);
            Histogram change = histogram();
            long changeBytes = 0;
            long changeMessages = 0;
            for (int j = 0; j < CHANGES; j++) {
                ReplicationTraffic.Counts before = traffic.snapshot();
                long index = importerCatalog.importedService(peer, "svc-1").index();
                long start = System.nanoTime();
                check(exporter.send("PUT", "/v1/catalog/register", httpRegistration("svc-1", j, "change-" + j)));
                waitFor(Duration.ofMinutes(2), () -> importerCatalog.importedService(peer, "svc-1").index() > index);
                change.recordValue((System.nanoTime() - start) / 1000);
                Thread.sleep(300);
                ReplicationTraffic.Counts sent = traffic.snapshot().minus(before);
                changeBytes += sent.totalBytes();
                changeMessages += sent.totalMessages();
            }
            log("  change p50 %.1f ms", change.getValueAtPercentile(50) / 1000.0);

            ReplicationService replication = dc1.context().getBean(ReplicationService.class);
            Peering toImporter = dc1.context().getBean(PeeringStore.class).find(new PeeringKey("default", "importer"))
                    .orElseThrow();
            Histogram resync = histogram();
            ReplicationTraffic.Counts beforeResyncs = traffic.snapshot();
            for (int j = 0; j < RESYNCS; j++) {
                long start = System.nanoTime();
                if (!replication.resync(toImporter, false)) {
                    throw new IllegalStateException("the resync was refused");
                }
                resync.recordValue((System.nanoTime() - start) / 1000);
            }
            ReplicationTraffic.Counts resyncs = traffic.snapshot().minus(beforeResyncs);

            Histogram peerHealth = histogram();
            long peerHealthBytes = 0;
            for (int j = 0; j < 5; j++) {
                long start = System.nanoTime();
                HttpResponse<String> read = importer.sendUnchecked("GET", "/v1/health/service/svc-2?peer=exporter", null);
                peerHealth.recordValue((System.nanoTime() - start) / 1000);
                peerHealthBytes = read.body().length();
            }
            Histogram peerServices = timed(10, () -> importer.sendUnchecked("GET", "/v1/catalog/services?peer=exporter", null));
            Histogram localHealth = timed(5, () -> exporter.sendUnchecked("GET", "/v1/health/service/svc-2", null));
            log("  health?peer= p50 %.1f ms", peerHealth.getValueAtPercentile(50) / 1000.0);

            ImportedDataStore imported = dc2.context().getBean(ImportedDataStore.class);
            int items = imported.count(peer);
            waitFor(Duration.ofMinutes(30), () -> caughtUp(dc2));
            long purgeStart = System.nanoTime();
            HttpResponse<String> deleted = importer.delete("/v1/peering/exporter");
            check(deleted);
            waitFor(Duration.ofMinutes(60), 20, () -> importer.sendUnchecked("GET", "/v1/peering/exporter", null).statusCode() == 404);
            double purgeRate = items / seconds(purgeStart);
            if (imported.count(peer) != 0) {
                throw new IllegalStateException("the purge left items behind");
            }
            double rawRate = rawDeleteRate(dc2, items);
            log("  purge %.0f items/s, raw %.0f items/s", purgeRate, rawRate);
            return new Replication(scale, (int) exported.values().stream().mapToLong(Long::longValue).sum(), fillRate, httpRate, syncSeconds, change,
                    changeBytes / CHANGES, changeMessages, resync, resyncs.totalBytes() / RESYNCS,
                    resyncs.messages(PeerMessage.Kind.SERVICE_SNAPSHOT), peerHealth, peerHealthBytes, peerServices,
                    localHealth, items, purgeRate, rawRate);
        }
    }

    private static CatalogStore.Registration registration(String service, int i, String tag) {
        String id = service + "-" + i;
        return new CatalogStore.Registration("node-" + i, "", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
                "dc1", Map.of("rack", "r" + (i % 16)), Map.of(), new CatalogStore.Instance(id, service, List.of(tag), "",
                8080, Map.of("version", "1.0." + (i % 10))),
                List.of(new HealthCheck("node-" + i, id + "-http", "http", "passing", "", "HTTP GET /health: 200 OK", id,
                        service, "http")));
    }

    private static String httpRegistration(String service, int i, String tag) {
        String id = service + "-" + i;
        return "{\"Node\":\"node-" + i + "\",\"Address\":\"10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)
                + "\",\"Datacenter\":\"dc1\",\"NodeMeta\":{\"rack\":\"r" + (i % 16) + "\"},"
                + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"" + service + "\",\"Port\":8080,\"Tags\":[\"" + tag + "\"],"
                + "\"Meta\":{\"version\":\"1.0." + (i % 10) + "\"}},"
                + "\"Check\":{\"CheckID\":\"" + id + "-http\",\"Name\":\"http\",\"Status\":\"passing\","
                + "\"Output\":\"HTTP GET /health: 200 OK\",\"ServiceID\":\"" + id + "\",\"Type\":\"http\"}}";
    }

    /**
     * New instances of the five services on new nodes through the store, five threads (one service each, so no two
     * threads contend for a service's head or a node): registrations per second at the catalog's size.
     */
    private static double inProcessRegistrations(CatalogStore catalog) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(SERVICES.size());
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int s = 0; s < SERVICES.size(); s++) {
            String service = SERVICES.get(s);
            int first = 2_000_000 + s * 100_000;
            done.add(threads.submit(() -> {
                for (int i = 0; i < HTTP_REGISTRATIONS / SERVICES.size(); i++) {
                    catalog.register("default", registration(service, first + i, "v1"));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        threads.shutdown();
        return HTTP_REGISTRATIONS / seconds(start);
    }

    /** The same through HTTP, five clients at once (one service each): registrations per second. */
    private static double httpRegistrations(ConsulHttp exporter) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(SERVICES.size());
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < SERVICES.size(); c++) {
            String service = SERVICES.get(c);
            int first = 1_000_000 + c * 100_000;
            done.add(clients.submit(() -> {
                for (int i = 0; i < HTTP_REGISTRATIONS / SERVICES.size(); i++) {
                    check(exporter.sendUnchecked("PUT", "/v1/catalog/register", httpRegistration(service, first + i, "v1")));
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        clients.shutdown();
        return HTTP_REGISTRATIONS / seconds(start);
    }

    /** The same number of items, written into a key of their own and deleted with raw BatchWriteItem calls. */
    private static double rawDeleteRate(LocalCluster cluster, int items) throws Exception {
        DynamoDbClient dynamoDb = cluster.context().getBean(DynamoDbClient.class);
        String table = cluster.context().getProperty("peering.dynamodb.table-name", String.class).orElseThrow();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            keys.add(Map.of("pk", AttributeValue.fromS("BENCH#raw"), "sk", AttributeValue.fromS(String.format("SERVICE#x#%08d", i))));
        }
        for (int from = 0; from < keys.size(); from += 25) {
            List<WriteRequest> puts = keys.subList(from, Math.min(keys.size(), from + 25)).stream().map(key -> {
                Map<String, AttributeValue> item = new HashMap<>(key);
                item.put("payload", AttributeValue.fromS("x".repeat(400)));
                return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
            }).toList();
            writeAll(dynamoDb, table, puts);
        }
        ExecutorService deleters = Executors.newFixedThreadPool(PURGE_PARALLELISM);
        long start = System.nanoTime();
        List<Future<?>> batches = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += 25) {
            List<WriteRequest> deletes = keys.subList(from, Math.min(keys.size(), from + 25)).stream()
                    .map(key -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build()).toList();
            batches.add(deleters.submit(() -> writeAll(dynamoDb, table, deletes)));
        }
        for (Future<?> batch : batches) {
            batch.get();
        }
        double rate = items / seconds(start);
        deleters.shutdown();
        return rate;
    }

    private static void writeAll(DynamoDbClient dynamoDb, String table, List<WriteRequest> requests) {
        Map<String, List<WriteRequest>> pending = Map.of(table, requests);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
    }

    // ------------------------------------------------------------------ peerings

    private static Peerings peerings(int scale) throws Exception {
        int total = PEERINGS_AT_1X * scale;
        int dead = Math.max(1, total / 20);
        log("%d×: %d peerings, %d dead", scale, total, dead);
        int deadPort = EmbeddedDynamoDb.freePort();
        Map<String, Object> deadSettings = new HashMap<>(QUIET);
        deadSettings.put("peering.advertise-url", "http://127.0.0.1:" + deadPort);
        Map<String, Object> acceptorSettings = new HashMap<>(QUIET);
        acceptorSettings.put("peering.peer-call-timeout", "5s");
        try (LocalCluster acceptorCluster = PeeringFlow.startCluster("dc1", acceptorSettings);
             LocalCluster live = PeeringFlow.startCluster("dc2", QUIET)) {
            ConsulHttp acceptor = PeeringFlow.client(acceptorCluster);
            try (LocalCluster deadCluster = PeeringFlow.startCluster("dc3", deadSettings);
                 TcpForwarder ignored = TcpForwarder.start(deadPort, PeeringFlow.port(deadCluster))) {
                establishMany(acceptor, PeeringFlow.client(live), "live-", total - dead);
                establishMany(acceptor, PeeringFlow.client(deadCluster), "dead-", dead);
            }
            try (SilentListener silent = SilentListener.start(deadPort)) {
                Histogram list = histogram();
                long listBytes = 0;
                for (int j = 0; j < 10; j++) {
                    long start = System.nanoTime();
                    HttpResponse<String> read = acceptor.sendUnchecked("GET", "/v1/peerings", null);
                    list.recordValue((System.nanoTime() - start) / 1000);
                    listBytes = read.body().length();
                }
                HeartbeatService heartbeats = acceptorCluster.context().getBean(HeartbeatService.class);
                Histogram round = histogram();
                HeartbeatService.Result result = null;
                for (int j = 0; j < 3; j++) {
                    long start = System.nanoTime();
                    result = heartbeats.sendHeartbeats();
                    round.recordValue((System.nanoTime() - start) / 1000);
                }
                log("  round %.1f s", round.getValueAtPercentile(50) / 1e6);
                return new Peerings(scale, total, dead, list, listBytes, round, result.delivered(), result.failed());
            }
        }
    }

    private static void establishMany(ConsulHttp acceptor, ConsulHttp dialer, String prefix, int count) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = prefix + String.format("%04d", i);
            done.add(pool.submit(() -> check(PeeringFlow.establish(dialer, "to-" + name, PeeringFlow.generate(acceptor, name)))));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
    }

    /** Accepts connections and never answers: a peer that is there and dead (each call waits out its timeout). */
    private static final class SilentListener implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();

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

    // ------------------------------------------------------------------ output and helpers

    private static void print(List<Replication> replications, List<Peerings> peerings) {
        StringBuilder out = new StringBuilder("\n");
        out.append("Single-instance change (register one instance over HTTP until the peer holds it) and resync with nothing changed\n\n");
        out.append("| scale | imported instances | change p50 | change p99 | bytes sent per change | messages per change "
                + "| quiet resync p50 | quiet resync bytes | services re-sent by quiet resyncs |\n");
        out.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Replication r : replications) {
            out.append(String.format(Locale.ROOT, "| %d× | %,d | %s | %s | %,d | %.1f | %s | %,d | %d |%n", r.scale(),
                    r.imported(), ms(r.change(), 50), ms(r.change(), 99), r.changeBytes(),
                    r.changeMessages() / (double) CHANGES, ms(r.resync(), 50), r.resyncBytes(), r.resyncResends()));
        }
        out.append("\nReads (median of 5 to 10; the health read returns one service, a fifth of the import)\n\n");
        out.append("| scale | health ?peer= p50 | its size | catalog/services ?peer= p50 | local health p50 |\n");
        out.append("|---|---|---|---|---|\n");
        for (Replication r : replications) {
            out.append(String.format(Locale.ROOT, "| %d× | %s | %,d B | %s | %s |%n", r.scale(), ms(r.peerHealth(), 50),
                    r.peerHealthBytes(), ms(r.peerServices(), 50), ms(r.localHealth(), 50)));
        }
        out.append("\nWrites: registrations and the purge of a deleted peering's imports\n\n");
        out.append("| scale | registrations/s at that size (in process, 5 threads) | registrations/s over HTTP (5 clients) "
                + "| initial sync of the export | purged items | purge items/s | raw BatchWriteItem items/s | purge / raw |\n");
        out.append("|---|---|---|---|---|---|---|---|\n");
        for (Replication r : replications) {
            out.append(String.format(Locale.ROOT, "| %d× | %.0f | %.0f | %.1f s | %,d | %.0f | %.0f | %.2f |%n", r.scale(),
                    r.fillRate(), r.httpRate(), r.syncSeconds(), r.purgedItems(), r.purgeRate(), r.rawRate(),
                    r.purgeRate() / r.rawRate()));
        }
        if (!peerings.isEmpty()) {
            out.append("\nPeerings: list, and one heartbeat round (heartbeat + resync each; dead peers wait out a 5 s timeout)\n\n");
            out.append("| scale | peerings | dead | list p50 | list size | round p50 | delivered | failed |\n");
            out.append("|---|---|---|---|---|---|---|---|\n");
            for (Peerings p : peerings) {
                out.append(String.format(Locale.ROOT, "| %d× | %,d | %d | %s | %,d B | %.1f s | %d | %d |%n", p.scale(),
                        p.peerings(), p.dead(), ms(p.list(), 50), p.listBytes(), p.round().getValueAtPercentile(50) / 1e6,
                        p.delivered(), p.failed()));
            }
        }
        System.out.println(out);
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.MINUTES.toMicros(30), 3);
    }

    private static Histogram timed(int samples, Runnable read) {
        Histogram histogram = histogram();
        for (int j = 0; j < samples; j++) {
            long start = System.nanoTime();
            read.run();
            histogram.recordValue((System.nanoTime() - start) / 1000);
        }
        return histogram;
    }

    private static String ms(Histogram histogram, double percentile) {
        return String.format(Locale.ROOT, "%.1f ms", histogram.getValueAtPercentile(percentile) / 1000.0);
    }

    private static boolean caughtUp(LocalCluster cluster) {
        return cluster.context().getBean(LocalStreamPoller.class).caughtUp();
    }

    /** Polls every 2 ms for the first second (latency), then every 200 ms (long waits). */
    private static void waitFor(Duration limit, BooleanSupplier condition) throws InterruptedException {
        waitFor(limit, 0, condition);
    }

    /** Polls every {@code pollMillis}, or (0) every 2 ms for the first second and every 200 ms after. */
    private static void waitFor(Duration limit, int pollMillis, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + limit);
            }
            Thread.sleep(pollMillis > 0 ? pollMillis : System.nanoTime() - start < 1_000_000_000L ? 2 : 200);
        }
    }

    private static void check(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException(response.statusCode() + ": " + response.body());
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[%tT] " + format + "%n", prepend(new java.util.Date(), args));
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
