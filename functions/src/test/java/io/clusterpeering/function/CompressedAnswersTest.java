package io.clusterpeering.function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.clusterpeering.domain.Peering;
import io.clusterpeering.domain.PeeringKey;
import io.clusterpeering.domain.VersionedInstance;
import io.clusterpeering.store.ImportedDataStore;
import io.clusterpeering.store.PeeringStore;
import io.clusterpeering.store.StreamStatusStore;
import io.clusterpeering.token.ClusterIdentityGenerator;
import io.clusterpeering.support.GatewayEvent;
import io.clusterpeering.support.GatewayEvent.Answer;
import io.clusterpeering.support.ImportFixtures;
import io.clusterpeering.support.OpenApiContract;
import io.clusterpeering.support.PayloadFormat;
import io.clusterpeering.support.TestDynamoDb;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Answers of any size Consul gives, through the Lambda entry point in both payload formats: with
 * {@code Accept-Encoding: gzip} (what Consul's Go client sends) a partition's {@code GET /v1/peerings} of
 * {@value #PEERINGS} peerings and a {@code ?peer=} health read of {@value #INSTANCES} imported instances come back
 * gzipped in base64 and under Lambda's 6 MB result limit, where the plain answers would be far over it; without it,
 * or with gzip refused, an answer stays plain; an answer under Consul's 1,400-byte minimum is never gzipped.
 *
 * <p>The peerings are ACTIVE rows written through the store (dialer rows as establishing writes them, in one write
 * each; the importing one an acceptor), each with its own peer's CA certificate as our
 * clusters make them ({@link ClusterIdentityGenerator}: a hub of 10,000 peerings has 10,000 different peer CAs, and
 * certificates compress far less than the rest of the JSON); the instances are written as an exporter's update,
 * after its service list. Every answer is checked against the OpenAPI document as the client reads it. The sizes are
 * printed ({@code large answers:} lines), for the README's table.
 */
class CompressedAnswersTest {
    static final int PEERINGS = 10_000;
    static final int INSTANCES = 20_000;
    /** Lambda's limit on a synchronous invocation's result, in bytes. */
    static final int LAMBDA_RESULT_LIMIT_BYTES = 6 * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ApplicationContext context;
    private static ListPeeringsFunction list;
    private static HealthServiceFunction health;
    private static ReadPeeringFunction read;
    private static Peering importing;
    /** The acceptor peering whose peer exports the {@value #INSTANCES} instances. */
    private static final PeeringKey IMPORTING = new PeeringKey("default", "cluster-00000");
    /** A peering whose read is a few hundred bytes: the fixtures' one-letter PEM. */
    private static final PeeringKey TINY = new PeeringKey("default", "cluster-00001");
    /** A peering whose read is above Consul's minimum: its peer's CA PEM three times over. */
    private static final PeeringKey MEDIUM = new PeeringKey("default", "cluster-00002");

    private static io.clusterpeering.local.EmbeddedDynamoDb engine;

    @BeforeAll
    static void seed() throws Exception {
        long started = System.nanoTime();
        Map<String, Object> properties = new java.util.HashMap<>(TestDynamoDb.freshTable("large-answers"));
        String external = System.getenv("PEERING_TEST_DYNAMODB_ENDPOINT");
        if (external == null || external.isBlank()) {
            // An engine of its own: its 30,000 items and their stream records go with it, instead of weighing on the
            // shared engine (and its stream readers) for the classes that run after this one in the same JVM.
            engine = io.clusterpeering.local.EmbeddedDynamoDb.start(null);
            properties.put("peering.dynamodb.endpoint", engine.endpoint());
        }
        context = ApplicationContext.run(properties);
        list = new ListPeeringsFunction(context);
        health = new HealthServiceFunction(context);
        read = new ReadPeeringFunction(context);
        PeeringStore store = context.getBean(PeeringStore.class);
        ImportedDataStore imported = context.getBean(ImportedDataStore.class);
        importing = ImportFixtures.activePeering(store, IMPORTING, ClusterIdentityGenerator.generate().caPem());
        // The exporter's service list first, as the importer takes it: a ?peer= read shows only listed services.
        assertTrue(context.getBean(StreamStatusStore.class).takeExportList(importing, 1, List.of("web"), List.of(), List.of()));
        imported.applyServiceList(importing, 1, Map.of("web", new ImportedDataStore.ListedService("0", INSTANCES, INSTANCES)));
        importing = store.find(IMPORTING).orElseThrow();
        List<VersionedInstance> instances = IntStream.range(0, INSTANCES)
                .mapToObj(i -> ImportFixtures.upsert("web", i, "v1", 1 + i)).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            // The import (one writer: its transactions move one service head) runs beside the peerings' writers.
            Future<Double> importSeconds = pool.submit(() -> {
                long from = System.nanoTime();
                assertEquals(ImportedDataStore.Applied.CHANGED, imported.applyUpdate(importing, "web", instances, Instant.now()));
                return (System.nanoTime() - from) / 1e9;
            });
            // Each peering's peer CA made for it (key pairs and certificates on the pool's threads), then the rows
            // written at once, as establishing would have stored them.
            List<Future<Map.Entry<PeeringKey, String>>> made = new ArrayList<>();
            for (int i = 1; i < PEERINGS; i++) {
                PeeringKey key = new PeeringKey("default", String.format("cluster-%05d", i));
                made.add(pool.submit(() -> Map.entry(key, key.equals(TINY)
                        ? "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n"
                        : key.equals(MEDIUM) ? ClusterIdentityGenerator.generate().caPem().repeat(3)
                        : ClusterIdentityGenerator.generate().caPem())));
            }
            Map<PeeringKey, String> peerCaPems = new java.util.LinkedHashMap<>();
            for (Future<Map.Entry<PeeringKey, String>> peering : made) {
                peerCaPems.put(peering.get().getKey(), peering.get().getValue());
            }
            ImportFixtures.activeDialers(context.getBean(io.clusterpeering.store.PeeringBulkLoad.class), "default", peerCaPems);
            System.out.printf("large answers: %,d peerings (each with its peer's own CA made for it) and %,d imported"
                            + " instances written in %.1f s (the import alone %.1f s)%n", PEERINGS, INSTANCES,
                    (System.nanoTime() - started) / 1e9, importSeconds.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @AfterAll
    static void stop() {
        context.close();
        if (engine != null) {
            engine.close();
        }
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void tenThousandPeeringsComeBackGzippedUnderLambdasLimit(PayloadFormat format) throws IOException {
        GatewayEvent event = GatewayEvent.fixture(format, "list-peerings.json").header("Accept-Encoding", "gzip");

        Answer answer = event.sendTo(list);

        JsonNode peerings = assertGzippedUnderTheLimit(format, "GET", "/v1/peerings", answer);
        assertEquals(PEERINGS, peerings.size());
        report(format, "GET /v1/peerings (" + PEERINGS + " peerings)", answer);
        capture(format, "peerings", answer);
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void twentyThousandImportedInstancesComeBackGzippedUnderLambdasLimit(PayloadFormat format) throws IOException {
        GatewayEvent event = GatewayEvent.fixture(format, "health-service.json")
                .path("/v1/health/service/web").pathParameters(Map.of("name", "web"))
                .query(Map.of("peer", importing.key().name())).header("Accept-Encoding", "gzip");

        Answer answer = event.sendTo(health);

        JsonNode entries = assertGzippedUnderTheLimit(format, "GET", "/v1/health/service/web", answer);
        assertEquals(INSTANCES, entries.size());
        assertEquals("web", entries.get(0).path("Service").path("Service").asText());
        report(format, "GET /v1/health/service/web?peer= (" + INSTANCES + " instances)", answer);
        capture(format, "health-web", answer);
    }

    @ParameterizedTest(name = "{0} Accept-Encoding: \"{1}\" -> gzip {2}")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
            "HTTP_API_2_0 | none                   | false",
            "REST_API_1_0 | none                   | false",
            "HTTP_API_2_0 | gzip                   | true",
            "REST_API_1_0 | 'gzip, deflate, br'    | true",
            "HTTP_API_2_0 | GZIP;q=0.5             | true",
            "REST_API_1_0 | gzip;q=0               | false",
            "HTTP_API_2_0 | 'gzip;q=0.000, *'      | false",
            "REST_API_1_0 | *                      | true",
            "HTTP_API_2_0 | '*;q=0'                | false",
            "REST_API_1_0 | 'identity, *;q=0.1'    | true",
            "HTTP_API_2_0 | 'br, deflate'          | false",
            "REST_API_1_0 | identity               | false",
            "HTTP_API_2_0 | x-gzip                 | true",
            "REST_API_1_0 | gzip;q=high            | false",
    })
    void aMidSizedAnswerIsGzippedExactlyWhenAcceptEncodingAllowsIt(PayloadFormat format, String acceptEncoding,
                                                                  boolean gzipped) throws IOException {
        GatewayEvent event = readEvent(format, MEDIUM).withoutHeader("Accept-Encoding");
        if (acceptEncoding != null) {
            event.header("Accept-Encoding", acceptEncoding);
        }

        Answer answer = event.sendTo(read);

        assertEquals(200, answer.status(), answer.body());
        assertEquals("Accept-Encoding", answer.headers().get("Vary"), "every answer varies by Accept-Encoding");
        assertTrue(answer.body().length() > 1_400, "the answer is above Consul's 1,400-byte minimum");
        assertEquals(gzipped, answer.json().path("isBase64Encoded").asBoolean(), answer.json().toString());
        assertEquals(gzipped ? "gzip" : null, answer.headers().get("Content-Encoding"));
        if (!gzipped) {
            assertEquals(answer.body(), answer.json().path("body").asText(), "the body goes out as plain JSON text");
        }
        assertEquals(MEDIUM.name(), JSON.readTree(answer.body()).path("Name").asText());
        conforms(format, "GET", "/v1/peering/" + MEDIUM.name(), answer);
    }

    @ParameterizedTest
    @EnumSource(PayloadFormat.class)
    void anAnswerUnderConsulsMinimumStaysPlainEvenWhenGzipIsAccepted(PayloadFormat format) throws IOException {
        Answer answer = readEvent(format, TINY).header("Accept-Encoding", "gzip").sendTo(read);

        assertEquals(200, answer.status(), answer.body());
        assertTrue(answer.body().length() < 1_400, answer.body());
        assertFalse(answer.json().path("isBase64Encoded").asBoolean());
        assertNull(answer.headers().get("Content-Encoding"));
        assertEquals("Accept-Encoding", answer.headers().get("Vary"));
        assertEquals(TINY.name(), JSON.readTree(answer.body()).path("Name").asText());
        conforms(format, "GET", "/v1/peering/" + TINY.name(), answer);
    }

    private static GatewayEvent readEvent(PayloadFormat format, PeeringKey key) {
        return GatewayEvent.fixture(format, "read-peering.json").pathParameters(Map.of("name", key.name()))
                .path("/v1/peering/" + key.name()).query(Map.of());
    }

    private static JsonNode assertGzippedUnderTheLimit(PayloadFormat format, String method, String path, Answer answer)
            throws IOException {
        assertEquals(200, answer.status(), answer.status() + " " + answer.headers());
        assertEquals("gzip", answer.headers().get("Content-Encoding"));
        assertEquals("Accept-Encoding", answer.headers().get("Vary"));
        assertEquals("application/json", answer.headers().get("Content-Type"));
        assertTrue(answer.json().path("isBase64Encoded").asBoolean(), "a gzipped body leaves Lambda in base64");
        assertTrue(answer.sizeBytes() < LAMBDA_RESULT_LIMIT_BYTES, format + ": the Lambda result is "
                + answer.sizeBytes() + " bytes, over Lambda's " + LAMBDA_RESULT_LIMIT_BYTES);
        conforms(format, method, path, answer);
        return JSON.readTree(answer.body());
    }

    /** The answer, as the client reads it, against the OpenAPI document. */
    private static void conforms(PayloadFormat format, String method, String path, Answer answer) {
        Map<String, List<String>> headers = new HashMap<>();
        answer.headers().forEach((name, value) -> headers.put(name, List.of(value)));
        OpenApiContract.assertConforms(method, path, answer.status(), headers, answer.body());
    }

    /**
     * Keeps the answer as the client receives it after API Gateway has decoded Lambda's base64 (the gzipped bytes,
     * and the headers a client looks at) under {@code target/large-answers/}, where Consul's Go client reads it
     * ({@code compat/large_answers_test.go}, in CI's compat stage, which runs after this).
     */
    private static void capture(PayloadFormat format, String name, Answer answer) throws IOException {
        java.nio.file.Path dir = java.nio.file.Path.of("target", "large-answers");
        java.nio.file.Files.createDirectories(dir);
        String prefix = format.name().toLowerCase(java.util.Locale.ROOT) + "-" + name;
        java.nio.file.Files.write(dir.resolve(prefix + ".body"),
                Base64.getDecoder().decode(answer.json().path("body").asText()));
        Map<String, Object> meta = new java.util.TreeMap<>();
        for (String header : List.of("Content-Type", "Content-Encoding", "Vary", "X-Consul-Index")) {
            meta.put(header, answer.headers().get(header));
        }
        meta.put("peer", importing.key().name());
        meta.put("peerings", PEERINGS);
        meta.put("instances", INSTANCES);
        JSON.writeValue(dir.resolve(prefix + ".json").toFile(), meta);
    }

    private static void report(PayloadFormat format, String what, Answer answer) {
        int plain = answer.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        int base64 = answer.json().path("body").asText().length();
        int gzipped = Base64.getDecoder().decode(answer.json().path("body").asText()).length;
        System.out.printf("large answers: %s %s: plain %,d B, gzip %,d B (%.1f%%), base64 %,d B, Lambda result %,d B"
                        + " (%.1f%% of 6 MiB)%n", format, what, plain, gzipped, 100.0 * gzipped / plain, base64,
                answer.sizeBytes(), 100.0 * answer.sizeBytes() / LAMBDA_RESULT_LIMIT_BYTES);
    }
}
