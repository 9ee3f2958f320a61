package io.clusterpeering.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The benchmark driver behind {@code bench/run.sh}: starts DynamoDB Local, runs every {@link Section} in one run,
 * prints the table of figures and ratios, and writes {@code BENCHMARKS.md}, {@code bench/results/figures.tsv} and
 * the PNGs. Run from the repository root after {@code mvn -B -ntp -q -pl bench -am -DskipTests package} (which
 * {@code bench/run.sh} does).
 */
public final class Bench {
    /** The sections, in run and report order. Add a section here (see {@link Section}). */
    static final List<Section> SECTIONS = List.of(
            new ArtifactSection(),
            new HttpClientSection(),
            new ColdStartSection(),
            new EmulatedLambdaSection(),
            new WarmReadSection(),
            new WriteSection(),
            new ReplicationSection(),
            new ScaleSection(),
            new HeartbeatFanOutSection(),
            new ImportScaleSection(),
            new RegisterScaleSection(),
            new ProfileSection());

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        Progress progress = new Progress();
        Path lambdaJar = Path.of("functions", "target", "functions-lambda.jar").toAbsolutePath();
        if (!Files.isRegularFile(lambdaJar)) {
            System.err.println("no " + lambdaJar + ": run from the repository root, after "
                    + "`mvn -B -ntp -q -pl bench -am -DskipTests package` (bench/run.sh does both)");
            System.exit(2);
        }
        double[] loadBefore = Machine.waitForQuiet(options.waitForQuiet(), progress);
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Results results = new Results(options.results());
        Path work = Files.createTempDirectory("bench-");
        Path logback = work.resolve("logback.xml");
        try (var in = Bench.class.getResourceAsStream("/bench-logback.xml")) {
            Files.write(logback, in.readAllBytes());
        }
        progress.section("starting DynamoDB Local");
        try (DynamoDbLocalProcess engine = DynamoDbLocalProcess.start(logback, work)) {
            BenchRun run = new BenchRun(options, progress, results, engine.endpoint(), work, lambdaJar);
            for (Section section : SECTIONS) {
                if (options.runs(section.id())) {
                    progress.section(section.id());
                    try {
                        section.run(run);
                    } catch (Exception | AssertionError e) {
                        // one failing section must not lose the others' figures
                        e.printStackTrace();
                        results.note(section.title(), "**This section failed in this run:** `" + e + "`");
                    }
                    results.writeTsv(options.results().resolve("figures.tsv"));
                }
            }
        } finally {
            progress.done();
        }
        double[] loadAfter = Machine.loadAverage();
        results.print(System.out);
        results.writeTsv(options.results().resolve("figures.tsv"));
        if (options.report() != null) {
            Map<String, String> titles = new LinkedHashMap<>();
            for (Section s : SECTIONS) {
                titles.put(s.id(), s.title());
                s.subtitles().forEach(t -> titles.put(s.id() + "/" + t, t));
            }
            Path analysis = Path.of("bench", "ANALYSIS.md");
            results.writeMarkdown(options.report(),
                    Machine.header(options, started, Instant.now().truncatedTo(ChronoUnit.SECONDS), loadBefore, loadAfter),
                    titles, Results.readTsv(options.baseline()),
                    Files.isRegularFile(analysis) ? Files.readString(analysis, StandardCharsets.UTF_8) : null);
            System.out.println("wrote " + options.report() + " and " + options.results() + "/");
        }
        System.exit(0);
    }

    /** Deletes a file, ignoring a missing one. */
    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
