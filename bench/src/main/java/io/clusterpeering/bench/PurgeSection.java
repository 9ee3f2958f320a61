package io.clusterpeering.bench;

import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.service.DeletionService;
import io.clusterpeering.store.ImportedDataStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The purge after a peering is deleted: N items imported from the peer (1,000 / 10,000 / 100,000), removed by the
 * deletion handler's service ({@link DeletionService#finish}: query a page, BatchWriteItem 25, repeat, then remove
 * the row), beside raw BatchWriteItem deletes of the same number of items whose keys are already known.
 */
final class PurgeSection implements Section {
    static final String TITLE = "Purge";

    @Override
    public String id() {
        return "purge";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        List<Integer> sizes = new java.util.ArrayList<>(List.of(1_000, 10_000, 100_000));
        sizes.removeIf(n -> n > 10_000 && (run.options().quick() || n > run.options().purgeMax()));
        double[][] ours = new double[2][sizes.size()];
        double[][] raw = new double[2][sizes.size()];
        try (Cluster cluster = Cluster.start(run.endpoint(), run.newTable("purge"), false, Map.of())) {
            DynamoDbClient dynamoDb = cluster.dynamoDb();
            for (int s = 0; s < sizes.size(); s++) {
                int n = sizes.get(s);
                String name = "purge-" + n;
                cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"" + name + "\"}");
                cluster.ok("DELETE", "/v1/peering/" + name, null);
                PeeringKey key = new PeeringKey("default", name);
                run.progress().step("seeding " + n + " imported items");
                seed(dynamoDb, cluster.table(), "IMPORTED#default#" + name, n);
                int counted = cluster.context().getBean(ImportedDataStore.class).count(key);
                if (counted != n) {
                    throw new IllegalStateException("seeded " + n + " imported items but the store counts " + counted
                            + ": the imported-data layout changed; update PurgeSection.seed");
                }
                run.progress().step("purging " + n + " imported items");
                long start = System.nanoTime();
                cluster.context().getBean(DeletionService.class).finish(key);
                double seconds = (System.nanoTime() - start) / 1e9;
                run.progress().step("raw BatchWriteItem deletes of " + n + " items");
                List<Map<String, AttributeValue>> keys = seed(dynamoDb, cluster.table(), "RAW#" + name, n);
                long rawStart = System.nanoTime();
                rawDelete(dynamoDb, cluster.table(), keys);
                double rawSeconds = (System.nanoTime() - rawStart) / 1e9;
                ours[0][s] = n;
                ours[1][s] = n / seconds;
                raw[0][s] = n;
                raw[1][s] = n / rawSeconds;
                run.results().add(Figure.versus("purge." + n, TITLE, String.format("purge rate, %,d imported items", n),
                        n / seconds, "items/s", "raw BatchWriteItem deletes, keys known", n / rawSeconds,
                        String.format(java.util.Locale.ROOT, "%.2f s vs %.2f s", seconds, rawSeconds), "purge.png").rate());
            }
        }
        Map<String, double[][]> series = new java.util.LinkedHashMap<>();
        series.put("purge (DeletionService)", ours);
        series.put("raw BatchWriteItem", raw);
        Charts.curves(run.results().dir().resolve("purge.png"), "Purge rate by imported items", "imported items",
                "items/s", series, true);
        run.results().note(TITLE, "Items are seeded straight into the peer's imported-data partition (the purge reads "
                + "only keys), the peering row is marked DELETING through the DELETE function, then "
                + "`DeletionService.finish` runs as the stream handler runs it. The raw denominator deletes the same "
                + "number of items, 25 per BatchWriteItem, from keys held in memory (no queries).");
    }

    /** Writes n items of about 400 bytes under a partition key, 25 per BatchWriteItem, 4 at a time. */
    private static List<Map<String, AttributeValue>> seed(DynamoDbClient dynamoDb, String table, String pk, int n)
            throws Exception {
        List<Map<String, AttributeValue>> keys = new ArrayList<>(n);
        List<WriteRequest> batch = new ArrayList<>();
        List<Future<?>> pending = new ArrayList<>();
        String payload = "x".repeat(300);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int i = 0; i < n; i++) {
                Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS(pk),
                        "sk", AttributeValue.fromS(String.format("SERVICE#bench#node-%d#instance-%07d", i % 50, i)));
                keys.add(key);
                Map<String, AttributeValue> item = new java.util.HashMap<>(key);
                item.put("payload", AttributeValue.fromS(payload));
                batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                if (batch.size() == 25 || i == n - 1) {
                    List<WriteRequest> writes = batch;
                    pending.add(pool.submit(() -> write(dynamoDb, table, writes)));
                    batch = new ArrayList<>();
                }
            }
            for (Future<?> f : pending) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return keys;
    }

    private static void rawDelete(DynamoDbClient dynamoDb, String table, List<Map<String, AttributeValue>> keys) {
        for (int i = 0; i < keys.size(); i += 25) {
            write(dynamoDb, table, keys.subList(i, Math.min(keys.size(), i + 25)).stream()
                    .map(k -> WriteRequest.builder().deleteRequest(DeleteRequest.builder().key(k).build()).build()).toList());
        }
    }

    private static void write(DynamoDbClient dynamoDb, String table, List<WriteRequest> writes) {
        Map<String, List<WriteRequest>> pending = Map.of(table, writes);
        while (!pending.isEmpty()) {
            Map<String, List<WriteRequest>> request = pending;
            BatchWriteItemResponse response = dynamoDb.batchWriteItem(r -> r.requestItems(request));
            pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
        }
    }
}
