package io.clusterpeering.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The emulated-Lambda REPORT lines in the report: reads {@code infra/target/emulated-lambda-report.txt}, which
 * {@code EmulatedLambdaTwoClusterTest} (infra) writes from every function's {@code REPORT} lines under AWS's Runtime
 * Interface Emulator, and puts each function's init and first duration, warm median and peak memory into the report
 * as a table. It measures nothing itself: the file comes from that test's last run (its date is in the note), so its
 * rows are a note, not figures of this run. Without the file the note says how to make it.
 */
final class EmulatedLambdaSection implements Section {
    static final String TITLE = "Emulated Lambda: REPORT lines";
    /** Where the test writes its table, from the repository root. */
    static final Path REPORT = Path.of("infra", "target", "emulated-lambda-report.txt");
    /** The command that makes {@link #REPORT} (the README's Tests section). */
    static final String COMMAND = "mvn -B -ntp -pl infra -am verify -Dtest=EmulatedLambdaTwoClusterTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false";

    /**
     * One function's row of the test's table.
     *
     * @param function    {@code dc/logical ID} of the function in the synthesized template
     * @param invocations REPORT lines (invocations)
     * @param memoryMb    the template's memory size, MB
     * @param initMs      the RIE's Init Duration of the first invocation, ms
     * @param firstMs     the first invocation's Duration, ms (JVM start and handler init included: the standalone
     *                    RIE starts the runtime inside it)
     * @param warmMs      the median Duration of the later invocations, ms; NaN with one invocation
     * @param rieMaxMb    the RIE's Max Memory Used, MB (it prints the memory size there)
     * @param peakRssMb   the runtime JVM's peak resident memory (VmHWM), MB, measured by the test
     * @param envs        execution environments started
     */
    record Row(String function, int invocations, int memoryMb, double initMs, double firstMs, double warmMs,
               int rieMaxMb, int peakRssMb, int envs) {
    }

    @Override
    public String id() {
        return "emulated";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws IOException {
        if (!Files.isRegularFile(REPORT)) {
            run.results().note(TITLE, "No `" + REPORT + "` in this run. `EmulatedLambdaTwoClusterTest` writes it (from "
                    + "the repository root: `" + COMMAND + "`; it needs `aws-lambda-rie`, see the README's Tests "
                    + "section); run it before `bench/run.sh` to have its table here.");
            return;
        }
        List<String> lines = Files.readAllLines(REPORT, StandardCharsets.UTF_8);
        List<Row> rows = parse(lines);
        Instant written = Files.getLastModifiedTime(REPORT).toInstant().truncatedTo(ChronoUnit.SECONDS);
        run.results().note(TITLE, markdown(lines.isEmpty() ? "" : lines.get(0), written, rows));
    }

    /** The rows of the test's table (the lines after its header line); a function without REPORT lines is left out. */
    static List<Row> parse(List<String> lines) {
        List<Row> rows = new ArrayList<>();
        boolean table = false;
        for (String line : lines) {
            String[] cells = line.trim().split("\\s+");
            if (cells[0].equals("function")) {
                table = true;
                continue;
            }
            if (!table || cells.length != 9) {
                continue;
            }
            rows.add(new Row(cells[0], Integer.parseInt(cells[1]), Integer.parseInt(cells[2]), Double.parseDouble(cells[3]),
                    Double.parseDouble(cells[4]), cells[5].equals("-") ? Double.NaN : Double.parseDouble(cells[5]),
                    Integer.parseInt(cells[6]), Integer.parseInt(cells[7].replace("M", "")), Integer.parseInt(cells[8])));
        }
        return rows;
    }

    /** The note: where the figures come from, then one table row per function. */
    static String markdown(String context, Instant written, List<Row> rows) {
        boolean rieEchoesSize = rows.stream().allMatch(r -> r.rieMaxMb() == r.memoryMb());
        StringBuilder md = new StringBuilder();
        md.append("From `").append(REPORT).append("`, written ").append(written).append(" by `EmulatedLambdaTwoClusterTest` ")
                .append("(`").append(COMMAND).append("`), not by this run: ").append(context.replace("`", "'"))
                .append(" Every function runs from the synthesized template's code asset with its handler, memory and ")
                .append("environment (`JAVA_TOOL_OPTIONS` included) under the RIE and the Java runtime interface client, ")
                .append("on this machine's JDK. The standalone RIE starts the runtime inside the first invocation, so its ")
                .append("Init Duration is near 0 and the first duration holds the JVM's start, the handler's init and the ")
                .append("first request; warm is the median Duration of the later invocations (none with one invocation); ")
                .append("max memory is the runtime JVM's peak resident memory (VmHWM) after an invocation, measured by the ")
                .append("test").append(rieEchoesSize ? ", since the RIE's own Max Memory Used prints the memory size ("
                        + rows.get(0).memoryMb() + " MB) in every line." : ".")
                .append("\n\n| Function | Invocations | Memory (MB) | Init (ms) | First duration (ms) | Warm median (ms) | ")
                .append("Max memory, peak RSS (MB) |").append(rieEchoesSize ? "" : " RIE Max Memory Used (MB) |")
                .append(" Environments |\n|---|---:|---:|---:|---:|---:|---:|").append(rieEchoesSize ? "" : "---:|")
                .append("---:|\n");
        for (Row r : rows) {
            md.append("| ").append(r.function()).append(" | ").append(r.invocations()).append(" | ").append(r.memoryMb())
                    .append(" | ").append(String.format(Locale.ROOT, "%.2f", r.initMs())).append(" | ")
                    .append(Results.num(r.firstMs())).append(" | ").append(Double.isNaN(r.warmMs()) ? "–" : Results.num(r.warmMs()))
                    .append(" | ").append(r.peakRssMb()).append(" | ").append(rieEchoesSize ? "" : r.rieMaxMb() + " | ")
                    .append(r.envs()).append(" |\n");
        }
        return md.toString();
    }
}
