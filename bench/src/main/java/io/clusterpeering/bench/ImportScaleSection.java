package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.ProbeContext;
import io.clusterpeering.bench.probe.RecordedCalls;
import io.clusterpeering.domain.HealthCheck;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.function.ConsulHttpFunction;
import io.clusterpeering.local.LocalCluster;
import io.clusterpeering.local.LocalStreamPoller;
import io.clusterpeering.peer.PeerMessage;
import io.clusterpeering.service.ReplicationService;
import io.clusterpeering.service.ReplicationTraffic;
import io.clusterpeering.store.CatalogReads;
import io.clusterpeering.store.CatalogStore;
import io.clusterpeering.metrics.MetricsRegistry;
import io.clusterpeering.service.PeeringMetrics;
import io.clusterpeering.store.ImportPurgeStore;
import io.clusterpeering.store.IndexScope;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.TableKeys;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Issue 10's imported-instance scale, at 1×, 10× and 100× ({@code --import-scales}): 1,000 / 10,000 / 100,000
 * instances of five exported services, each size on two fresh local clusters (HTTP servers and stream pollers) over
 * the shared engine. Per size: registrations per second at that catalog size (through the store, and through the
 * register function), the initial sync of the export, the bytes, messages and time of a single-instance change (from
 * the registration until the importer holds it), the cost of a resync with nothing changed, the health and catalog
 * {@code ?peer=} reads and a local health read beside the raw DynamoDB calls they make, and the purge of the
 * imports after {@code DELETE /v1/peering} beside raw BatchWriteItem deletes of as many items (target ≥ 0.8×).
 * The change, resync and registration figures stand beside the same figure at 1×: the cost of a change must not
 * grow with the number of instances.
 */
final class ImportScaleSection implements Section {
    static final String TITLE = "Scale: imported instances";
    static final String PURGE = "Purge";
    static final List<String> SERVICES = List.of("svc-1", "svc-2", "svc-3", "svc-4", "svc-5");
    static final int PER_SERVICE_AT_1X = 200;
    /** Purge rate ≥ 0.8× raw BatchWriteItem, as a "ratio ≤" target on raw / purge. */
    static final double PURGE_TARGET = 1 / 0.8;
    private static final int PURGE_PARALLELISM = ImportPurgeStore.PURGE_IN_FLIGHT;
    private static final Map<String, Object> QUIET = Map.of("peering.heartbeat-interval", "10m",
            "peering.heartbeat-timeout", "60m", "peering.peer-call-timeout", "30s");

    @Override
    public String id() {
        return "scale-imports";
    }

    @Override
    public String title() {
        return TITLE;
    }

    /** One size's figures, kept for the 1× denominators and the charts. */
    private record Size(int instances, double changeP50, double changeBytes, double resyncP50, double storeRate,
                        double functionRate, double purgeRate, double rawRate, Cluster.AnswerSize peerHealth) {
    }

    @Override
    public void run(BenchRun run) throws Exception {
        List<Size> sizes = new ArrayList<>();
        for (int scale : run.options().importScales()) {
            sizes.add(size(run, scale, sizes.isEmpty() ? null : sizes.get(0)));
        }
        Map<String, double[][]> change = new LinkedHashMap<>();
        change.put("single-instance change p50 (ms)", curve(sizes, Size::changeP50));
        change.put("quiet resync p50 (ms)", curve(sizes, Size::resyncP50));
        Charts.curves(run.results().dir().resolve("scale-imports.png"), "Cost of a change and of a quiet resync by size",
                "imported instances", "ms", change, true);
        Map<String, double[][]> purge = new LinkedHashMap<>();
        purge.put("purge after DELETE /v1/peering", curve(sizes, Size::purgeRate));
        purge.put("raw BatchWriteItem deletes, " + PURGE_PARALLELISM + " in flight", curve(sizes, Size::rawRate));
        Charts.curves(run.results().dir().resolve("purge.png"), "Purge rate by imported items", "imported items",
                "items/s", purge, true);
        double[][][] bytes = new double[3][][];
        bytes[0] = curve(sizes, size -> size.peerHealth().plainBytes() / 1e6);
        bytes[1] = curve(sizes, size -> size.peerHealth().gzipBytes() / 1e6);
        bytes[2] = curve(sizes, size -> size.peerHealth().lambdaResultBytes() / 1e6);
        for (double[][] curve : bytes) {
            for (int i = 0; i < curve[0].length; i++) {
                curve[0][i] /= 5; // the read is of svc-2, a fifth of the import
            }
        }
        ScaleSection.answerSizes(run.results().dir().resolve("answer-size-instances.png"),
                "GET /v1/health/service/svc-2?peer= answer by instances in it", "instances in the answer", bytes);
        Map<String, double[][]> writes = new LinkedHashMap<>();
        writes.put("registrations/s, store", curve(sizes, Size::storeRate));
        writes.put("registrations/s, register function", curve(sizes, Size::functionRate));
        Charts.curves(run.results().dir().resolve("scale-registrations.png"), "Registrations per second by catalog size",
                "instances in the catalog", "registrations/s", writes, true);
        run.results().note(TITLE, "Each size: two local clusters (HTTP servers, stream pollers every 200 ms) on an empty "
                + "DynamoDB Local of its own (DynamoDB Local's writes slow down as its streams grow); the exporter's catalog is bulk-loaded item for item as registrations write it "
                + "(`CatalogStore.bulkLoad`), then exported to the importer. A change registers one instance "
                + "of `svc-1` again with a new tag through the register function and waits until the importer's "
                + "`svc-1` head moves; bytes and messages are what the exporter sent (`ReplicationTraffic`). A quiet "
                + "resync is `ReplicationService.resync` with nothing changed: the digest list goes out, nothing comes "
                + "back. Reads are the functions in this JVM beside the raw DynamoDB calls each one made (recorded, "
                + "replayed with the same client). Registrations: 500 new instances on new nodes, five threads (one "
                + "service each). The \"vs 1×\" ratios show whether a cost grows with the size.");
        run.results().note(PURGE, "The purge is the real one: `DELETE /v1/peering/exporter` on the importer after the "
                + "sync, timed until the read answers 404 (the stream poller hands the DELETING row to the deletion "
                + "handler, which reads pages of 1,000 keys one ahead and deletes them with " + PURGE_PARALLELISM + " BatchWriteItem calls in flight "
                + "until the invocation's time runs out, recording its progress on the row after each page). The handler's own rate "
                + "leaves out the stream's delivery (a poll every 200 ms here), the peer's notification and the row's removal. The denominator writes the same items again (read before the DELETE: same "
                + "attributes and sizes, so the same stream records) under a key of their own and deletes them from keys "
                + "held in memory, 25 per BatchWriteItem, as many in flight. Target: at least 0.8× the raw rate (shown as raw / purge ≤ 1.25).");
    }

    private static double[][] curve(List<Size> sizes, java.util.function.ToDoubleFunction<Size> value) {
        double[][] xy = new double[2][sizes.size()];
        for (int i = 0; i < sizes.size(); i++) {
            xy[0][i] = sizes.get(i).instances();
            xy[1][i] = value.applyAsDouble(sizes.get(i));
        }
        return xy;
    }

    private static Size size(BenchRun run, int scale, Size base) throws Exception {
        Progress progress = run.progress();
        boolean quick = run.options().quick();
        int perService = PER_SERVICE_AT_1X * scale;
        int total = perService * SERVICES.size();
        String at = String.format(Locale.ROOT, "%,d", total);
        Map<String, Object> settings = new HashMap<>(QUIET);
        settings.put("peering.local.stream-poll-interval", "200ms");
        try (DynamoDbLocalProcess engine = run.freshEngine();
             LocalCluster dc1 = Cluster.local(run, engine.endpoint(), "dc1", settings);
             LocalCluster dc2 = Cluster.local(run, engine.endpoint(), "dc2", settings)) {
            Cluster exporter = Cluster.over(dc1);
            Cluster importer = Cluster.over(dc2);
            String token = exporter.ok("POST", "/v1/peering/token", "{\"PeerName\":\"importer\"}").get("PeeringToken").asText();
            importer.ok("POST", "/v1/peering/establish", "{\"PeerName\":\"exporter\",\"PeeringToken\":\"" + token + "\"}");
            PeeringKey peer = new PeeringKey("default", "exporter");
            CatalogStore exporterCatalog = dc1.context().getBean(CatalogStore.class);
            CatalogReads importerCatalog = dc2.context().getBean(CatalogReads.class);
            CatalogReads exporterReads = dc1.context().getBean(CatalogReads.class);

            progress.step(at + " instances: bulk-loading the exporter's catalog");
            List<CatalogStore.Registration> load = new ArrayList<>();
            for (String service : SERVICES) {
                for (int i = 0; i < perService; i++) {
                    load.add(registration(service, i, "v1"));
                }
            }
            exporterCatalog.bulkLoad("default", load);
            load = null;
            progress.step(at + " instances: the exporter's stream poller catches up");
            waitFor(Duration.ofMinutes(30), 200, () -> caughtUp(dc1));

            int registrations = quick ? 100 : 500;
            progress.step(at + " instances: " + registrations + " registrations through the store");
            double storeRate = storeRegistrations(exporterCatalog, registrations);
            progress.step(at + " instances: " + registrations + " registrations through the register function");
            double functionRate = functionRegistrations(exporter, registrations);

            progress.step(at + " instances: initial sync of the export");
            long syncStart = System.nanoTime();
            StringBuilder list = new StringBuilder();
            for (String service : SERVICES) {
                list.append(list.length() == 0 ? "" : ",").append("{\"Name\":\"").append(service)
                        .append("\",\"Consumers\":[{\"Peer\":\"importer\"}]}");
            }
            exporter.ok("PUT", "/v1/config", "{\"Kind\":\"exported-services\",\"Name\":\"default\",\"Services\":[" + list + "]}");
            Map<String, Long> exported = new HashMap<>();
            SERVICES.forEach(service -> exported.put(service, exporterReads.localService("default", service).count()));
            long exportedTotal = exported.values().stream().mapToLong(Long::longValue).sum();
            waitFor(Duration.ofMinutes(60), 200, () -> SERVICES.stream()
                    .allMatch(service -> importerCatalog.importedService(peer, service).count() == exported.get(service)));
            double syncSeconds = (System.nanoTime() - syncStart) / 1e9;
            waitFor(Duration.ofMinutes(30), 200, () -> caughtUp(dc1) && caughtUp(dc2));

            int changes = quick ? 5 : 20;
            ReplicationTraffic traffic = dc1.context().getBean(ReplicationTraffic.class);
            Histogram change = Latency.histogram();
            long changeBytes = 0;
            long changeMessages = 0;
            for (int j = 0; j < changes; j++) {
                progress.step(at + " instances: single-instance change " + (j + 1) + "/" + changes);
                ReplicationTraffic.Counts before = traffic.snapshot();
                long index = importerCatalog.importedService(peer, "svc-1").index();
                long start = System.nanoTime();
                exporter.ok("PUT", "/v1/catalog/register", functionRegistration("svc-1", j, "change-" + j));
                waitFor(Duration.ofMinutes(2), 0, () -> importerCatalog.importedService(peer, "svc-1").index() > index);
                change.recordValue(System.nanoTime() - start);
                Thread.sleep(300);
                ReplicationTraffic.Counts sent = traffic.snapshot().minus(before);
                changeBytes += sent.totalBytes();
                changeMessages += sent.totalMessages();
            }

            int resyncs = quick ? 3 : 10;
            progress.step(at + " instances: " + resyncs + " quiet resyncs");
            ReplicationService replication = dc1.context().getBean(ReplicationService.class);
            Peering toImporter = dc1.context().getBean(PeeringStore.class).find(new PeeringKey("default", "importer"))
                    .orElseThrow();
            Histogram resync = Latency.histogram();
            ReplicationTraffic.Counts beforeResyncs = traffic.snapshot();
            for (int j = 0; j < resyncs; j++) {
                long start = System.nanoTime();
                if (!replication.resync(toImporter, false)) {
                    throw new IllegalStateException("the resync was refused");
                }
                resync.recordValue(System.nanoTime() - start);
            }
            ReplicationTraffic.Counts quiet = traffic.snapshot().minus(beforeResyncs);

            progress.step(at + " instances: reads");
            int reads = quick ? 5 : Math.max(5, 50 / scale);
            Read peerHealth = read(importer, "/v1/health/service/svc-2?peer=exporter", reads);
            Read peerServices = read(importer, "/v1/catalog/services?peer=exporter", reads * 2);
            Read localHealth = read(exporter, "/v1/health/service/svc-2", reads);
            Cluster.AnswerSize peerHealthSize = importer.answerSize("/v1/health/service/svc-2?peer=exporter");

            ImportPurgeStore imported = dc2.context().getBean(ImportPurgeStore.class);
            int items = imported.count(peer);
            waitFor(Duration.ofMinutes(30), 200, () -> caughtUp(dc2));
            progress.step(at + " instances: copying the imported items for the raw deletes");
            List<Map<String, AttributeValue>> copies = importedItems(importer, IndexScope.importedServiceList(peer).pk());
            progress.step(at + " instances: purging " + String.format(Locale.ROOT, "%,d", items) + " imported items");
            long purgeStart = System.nanoTime();
            importer.ok("DELETE", "/v1/peering/exporter", null);
            waitFor(Duration.ofMinutes(60), 20, () -> importer.call("GET", "/v1/peering/exporter", null).getStatusCode() == 404);
            double purgeSeconds = (System.nanoTime() - purgeStart) / 1e9;
            if (imported.count(peer) != 0) {
                throw new IllegalStateException("the purge left items behind");
            }
            progress.step(at + " instances: raw BatchWriteItem deletes of as many items");
            double rawRate = rawDeleteRate(importer, copies);
            double purgeRate = items / purgeSeconds;
            // The deletion handler's own rate (its PURGE_RATE samples, one per pass): the purge without the stream's
            // delivery, the peer's notification and the row's removal around it.
            List<MetricsRegistry.Summary> passes = dc2.context().getBean(MetricsRegistry.class).snapshot().samples().stream()
                    .filter(sample -> sample.name().equals(PeeringMetrics.PURGE_RATE)).toList();
            double handlerRate = passes.isEmpty() ? Double.NaN : passes.getFirst().mean();
            long passCount = passes.isEmpty() ? 0 : passes.getFirst().count();

            Results results = run.results();
            String id = "scale.imports." + total;
            double changeP50 = Latency.ms(change, 50);
            double perChangeBytes = changeBytes / (double) changes;
            String vs1 = base == null ? null : "same at " + String.format(Locale.ROOT, "%,d", base.instances()) + " instances";
            results.add(figure(id + ".change.p50", "single-instance change, register to held by the peer p50, " + at
                    + " instances", changeP50, "ms", vs1, base == null ? Double.NaN : base.changeP50(),
                    changes + " changes; p99 " + num(Latency.ms(change, 99)) + " ms", "scale-imports.png"));
            results.add(figure(id + ".change.bytes", "bytes sent per single-instance change, " + at + " instances",
                    perChangeBytes, "B", vs1, base == null ? Double.NaN : base.changeBytes(),
                    String.format(Locale.ROOT, "%.1f messages per change", changeMessages / (double) changes), null));
            results.add(figure(id + ".resync.p50", "quiet resync (nothing changed) p50, " + at + " instances",
                    Latency.ms(resync, 50), "ms", vs1, base == null ? Double.NaN : base.resyncP50(),
                    String.format(Locale.ROOT, "%d resyncs; %,d bytes each; services re-sent: %d", resyncs,
                            quiet.totalBytes() / resyncs, quiet.messages(PeerMessage.Kind.SERVICE_SNAPSHOT)),
                    "scale-imports.png"));
            results.add(figure(id + ".registrations.store", "registrations/s through the store, " + at
                    + " instances in the catalog", storeRate, "reg/s", vs1, base == null ? Double.NaN : base.storeRate(),
                    registrations + " new instances, 5 threads", "scale-registrations.png").rate());
            results.add(figure(id + ".registrations.function", "registrations/s through the register function, " + at
                    + " instances in the catalog", functionRate, "reg/s", vs1, base == null ? Double.NaN : base.functionRate(),
                    registrations + " new instances, 5 callers", "scale-registrations.png").rate());
            results.add(Figure.alone(id + ".sync", TITLE, "initial sync of the export, " + at + " instances",
                    syncSeconds, "s", String.format(Locale.ROOT, "%,d instances exported", exportedTotal), null));
            peerHealth.add(results, TITLE, id + ".health-peer", "GET /v1/health/service/svc-2?peer= (a fifth of the import), " + at);
            peerServices.add(results, TITLE, id + ".services-peer", "GET /v1/catalog/services?peer=, " + at);
            localHealth.add(results, TITLE, id + ".health-local", "GET /v1/health/service/svc-2 (local), " + at);
            results.add(ScaleSection.answerSize(id + ".health-peer-bytes", TITLE, "GET /v1/health/service/svc-2?peer= "
                    + "answer (a fifth of the import), " + at, peerHealthSize, "answer-size-instances.png"));
            results.add(Figure.versus("purge." + items, PURGE, String.format(Locale.ROOT, "purge rate, %,d imported items", items),
                    purgeRate, "items/s", "raw BatchWriteItem deletes, keys known, " + PURGE_PARALLELISM + " in flight", rawRate,
                    String.format(Locale.ROOT, "%.2f s from DELETE to 404", purgeSeconds), "purge.png").rate().target(PURGE_TARGET));
            results.add(Figure.versus("purge." + items + ".handler", PURGE, String.format(Locale.ROOT,
                            "purge rate inside the deletion handler, %,d imported items", items),
                    handlerRate, "items/s", "raw BatchWriteItem deletes, keys known, " + PURGE_PARALLELISM + " in flight", rawRate,
                    passCount + (passCount == 1 ? " pass" : " passes") + " (mean of their rates)", null).rate());
            return new Size(total, changeP50, perChangeBytes, Latency.ms(resync, 50), storeRate, functionRate, purgeRate, rawRate,
                    peerHealthSize);
        }
    }

    private static Figure figure(String id, String name, double value, String unit, String denominator,
                                 double denominatorValue, String detail, String chart) {
        return denominator == null ? Figure.alone(id, TITLE, name, value, unit, detail, chart)
                : Figure.versus(id, TITLE, name, value, unit, denominator, denominatorValue, detail, chart);
    }

    private static String num(double value) {
        return Results.num(value);
    }

    /** A read's latency beside the raw DynamoDB calls one invocation of it made, in turns. */
    record Read(Histogram function, Histogram raw, String calls, int bytes) {
        void add(Results results, String section, String id, String name) {
            for (double p : new double[]{50, 99}) {
                results.add(Figure.versus(id + ".p" + (int) p, section, name + " p" + (int) p, Latency.ms(function, p), "ms",
                        "raw " + calls + ", same client", Latency.ms(raw, p),
                        String.format(Locale.ROOT, "%d samples; answer %,d bytes", function.getTotalCount(), bytes), null));
            }
        }
    }

    static Read read(Cluster cluster, String path, int samples) {
        byte[] event = cluster.event("GET", path, null);
        ConsulHttpFunction function = cluster.function(Cluster.Request.of("GET", path, null).route());
        ProbeContext context = new ProbeContext();
        int[] bytes = {0};
        Runnable call = () -> {
            byte[] answer = Cluster.invoke(function, event, context);
            if (io.clusterpeering.bench.probe.ColdStartProbe.status(answer) != 200) {
                throw new IllegalStateException("GET " + path + " failed: " + new String(answer, java.nio.charset.StandardCharsets.UTF_8));
            }
            bytes[0] = answer.length;
        };
        call.run();
        List<SdkRequest> calls = CallRecorder.record(() -> {
            call.run();
            return null;
        }).stream().filter(c -> !(c instanceof GetItemRequest g && g.key().get(TableKeys.PK) != null
                && g.key().get(TableKeys.PK).s() != null && g.key().get(TableKeys.PK).s().startsWith(TableKeys.ACL_AUTH_PREFIX))).toList();
        DynamoDbClient client = cluster.dynamoDb();
        Runnable raw = () -> calls.forEach(c -> RecordedCalls.invoke(client, c));
        Histogram fn = Latency.histogram();
        Histogram base = Latency.histogram();
        for (int i = 0; i < samples; i++) {
            fn.add(Latency.measure(0, 1, call));
            base.add(Latency.measure(0, 1, raw));
        }
        return new Read(fn, base, WarmReadSection.summary(calls), bytes[0]);
    }

    static CatalogStore.Registration registration(String service, int i, String tag) {
        String id = service + "-" + i;
        return new CatalogStore.Registration("node-" + i, "", "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255),
                "dc1", Map.of("rack", "r" + (i % 16)), Map.of(), new CatalogStore.Instance(id, service, List.of(tag), "",
                8080, Map.of("version", "1.0." + (i % 10))),
                List.of(new HealthCheck("node-" + i, id + "-http", "http", "passing", "", "HTTP GET /health: 200 OK", id,
                        service, "http")));
    }

    static String functionRegistration(String service, int i, String tag) {
        String id = service + "-" + i;
        return "{\"Node\":\"node-" + i + "\",\"Address\":\"10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)
                + "\",\"Datacenter\":\"dc1\",\"NodeMeta\":{\"rack\":\"r" + (i % 16) + "\"},"
                + "\"Service\":{\"ID\":\"" + id + "\",\"Service\":\"" + service + "\",\"Port\":8080,\"Tags\":[\"" + tag + "\"],"
                + "\"Meta\":{\"version\":\"1.0." + (i % 10) + "\"}},"
                + "\"Check\":{\"CheckID\":\"" + id + "-http\",\"Name\":\"http\",\"Status\":\"passing\","
                + "\"Output\":\"HTTP GET /health: 200 OK\",\"ServiceID\":\"" + id + "\",\"Type\":\"http\"}}";
    }

    /** New instances on new nodes through the store, five threads (one service each): registrations per second. */
    private static double storeRegistrations(CatalogStore catalog, int count) throws Exception {
        return inThreads(count, (service, i) -> catalog.register("default", registration(service, 2_000_000 + i, "v1")));
    }

    /** The same through the register function, five callers at once (one service each). */
    private static double functionRegistrations(Cluster exporter, int count) throws Exception {
        return inThreads(count, (service, i) -> exporter.ok("PUT", "/v1/catalog/register",
                functionRegistration(service, 1_000_000 + i, "v1")));
    }

    private interface Registrar {
        void register(String service, int i) throws Exception;
    }

    private static double inThreads(int count, Registrar registrar) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(SERVICES.size());
        try {
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int s = 0; s < SERVICES.size(); s++) {
                String service = SERVICES.get(s);
                int first = s * 100_000;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < count / SERVICES.size(); i++) {
                        registrar.register(service, first + i);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return count / ((System.nanoTime() - start) / 1e9);
        } finally {
            threads.shutdown();
        }
    }

    /** Every item of a partition, all attributes (the imported items, read before the purge). */
    private static List<Map<String, AttributeValue>> importedItems(Cluster cluster, String pk) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        cluster.dynamoDb().queryPaginator(r -> r.tableName(cluster.table()).consistentRead(true)
                        .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(pk))))
                .items().forEach(items::add);
        return items;
    }

    /**
     * The purged items again, item for item (same attributes and sizes, so the same stream records), under a
     * partition key of their own, then deleted with raw BatchWriteItem calls from keys held in memory.
     */
    private static double rawDeleteRate(Cluster cluster, List<Map<String, AttributeValue>> copies) throws Exception {
        DynamoDbClient dynamoDb = cluster.dynamoDb();
        String table = cluster.table();
        int items = copies.size();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        List<Map<String, AttributeValue>> rows = new ArrayList<>();
        for (Map<String, AttributeValue> copy : copies) {
            Map<String, AttributeValue> row = new HashMap<>(copy);
            row.put(TableKeys.PK, AttributeValue.fromS("BENCH#raw"));
            rows.add(row);
            keys.add(Map.of(TableKeys.PK, row.get(TableKeys.PK), TableKeys.SK, row.get(TableKeys.SK)));
        }
        ExecutorService writers = Executors.newFixedThreadPool(PURGE_PARALLELISM);
        try {
            List<Future<?>> batches = new ArrayList<>();
            for (int from = 0; from < rows.size(); from += 25) {
                List<WriteRequest> puts = rows.subList(from, Math.min(rows.size(), from + 25)).stream()
                        .map(item -> WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build())
                        .toList();
                batches.add(writers.submit(() -> writeAll(dynamoDb, table, puts)));
            }
            for (Future<?> batch : batches) {
                batch.get();
            }
            batches.clear();
            long start = System.nanoTime();
            for (int from = 0; from < keys.size(); from += 25) {
                List<WriteRequest> deletes = keys.subList(from, Math.min(keys.size(), from + 25)).stream()
                        .map(key -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(key).build()).build()).toList();
                batches.add(writers.submit(() -> writeAll(dynamoDb, table, deletes)));
            }
            for (Future<?> batch : batches) {
                batch.get();
            }
            return items / ((System.nanoTime() - start) / 1e9);
        } finally {
            writers.shutdown();
        }
    }

    private static void writeAll(DynamoDbClient dynamoDb, String table, List<WriteRequest> requests) {
        Map<String, List<WriteRequest>> pending = Map.of(table, requests);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
    }

    static boolean caughtUp(LocalCluster cluster) {
        return cluster.context().getBean(LocalStreamPoller.class).caughtUp();
    }

    /** Polls every {@code pollMillis}, or (0) every 2 ms for the first second and every 200 ms after. */
    static void waitFor(Duration limit, int pollMillis, BooleanSupplier condition) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + limit);
            }
            Thread.sleep(pollMillis > 0 ? pollMillis : System.nanoTime() - start < 1_000_000_000L ? 2 : 200);
        }
    }
}
