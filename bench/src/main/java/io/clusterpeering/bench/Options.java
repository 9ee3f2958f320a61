package io.clusterpeering.bench;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The driver's command line.
 * <ul>
 *   <li>{@code --quick}: fewer samples and runs, scale at 1× only (minutes instead of tens of minutes; for trying
 *       the harness, not for the report)</li>
 *   <li>{@code --cold-runs N}: fresh JVMs per cold-start figure (default 5; the headline functions get 2N+1)</li>
 *   <li>{@code --only a,b}: run only these sections (ids as printed)</li>
 *   <li>{@code --import-scales 1,10,100}: the imported-instance sizes, in multiples of 1,000 instances (default
 *       1,10,100: 1,000 / 10,000 / 100,000; the purge runs at each)</li>
 *   <li>{@code --peering-scales 1,10,100}: the peering sizes, in multiples of 10 peerings (default 1,10,100: 10 / 100
 *       / 1,000, 5 % dead)</li>
 *   <li>{@code --beat-rtt-ms N}: the heartbeat fan-out's AWS model: the round trip of one peer call to a peer in
 *       another region, through its API Gateway and Lambda, in ms (default 80, about us-east-1 to eu-west-1)</li>
 *   <li>{@code --samples N}: timed calls per warm figure (default 2,000, after as many untimed ones)</li>
 *   <li>{@code --cold-functions headline}: cold start only of the functions the issue names (List, Read, Generate)
 *       instead of every HTTP function</li>
 *   <li>{@code --no-wait}: do not wait for the machine to be quiet (default: wait up to 15 min for a 1-minute load
 *       average below 1.5)</li>
 *   <li>{@code --results DIR}: where the PNGs and {@code figures.tsv} go (default {@code bench/results})</li>
 *   <li>{@code --report FILE}: the Markdown report (default {@code BENCHMARKS.md}); {@code --report none} writes none</li>
 *   <li>{@code --baseline FILE}: a {@code figures.tsv} of an earlier run, shown as the "before" column (default
 *       {@code bench/results/before.tsv} when it exists)</li>
 * </ul>
 */
record Options(boolean quick, int coldRuns, Set<String> only, boolean waitForQuiet, Path results, Path report,
               Path baseline, boolean headlineOnly, int samplesOption, List<Integer> importScales,
               List<Integer> peeringScales, double beatRttMs, List<String> args) {

    static Options parse(String[] args) {
        boolean quick = false;
        int coldRuns = 5;
        Set<String> only = new LinkedHashSet<>();
        boolean wait = true;
        Path results = Path.of("bench", "results");
        Path report = Path.of("BENCHMARKS.md");
        Path baseline = null;
        boolean headlineOnly = false;
        int samples = 0;
        List<Integer> importScales = null;
        List<Integer> peeringScales = null;
        double beatRttMs = 80;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--cold-runs" -> coldRuns = Integer.parseInt(args[++i]);
                case "--only" -> only.addAll(List.of(args[++i].split(",")));
                case "--no-wait" -> wait = false;
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--import-scales" -> importScales = scales(args[++i]);
                case "--peering-scales" -> peeringScales = scales(args[++i]);
                case "--beat-rtt-ms" -> beatRttMs = Double.parseDouble(args[++i]);
                case "--cold-functions" -> headlineOnly = "headline".equals(args[++i]);
                case "--results" -> results = Path.of(args[++i]);
                case "--report" -> report = "none".equals(args[i + 1]) ? null : Path.of(args[i + 1]);
                case "--baseline" -> baseline = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (see bench/src/main/java/io/clusterpeering/bench/Options.java)");
            }
            if (args[i].equals("--report")) {
                i++;
            }
        }
        if (quick && coldRuns == 5) {
            coldRuns = 3;
        }
        if (baseline == null && results.resolve("before.tsv").toFile().isFile()) {
            baseline = results.resolve("before.tsv");
        }
        List<Integer> defaultScales = quick ? List.of(1) : List.of(1, 10, 100);
        return new Options(quick, coldRuns, only, wait, results, report, baseline, headlineOnly, samples,
                importScales == null ? defaultScales : importScales, peeringScales == null ? defaultScales : peeringScales,
                beatRttMs, List.of(args));
    }

    private static List<Integer> scales(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    boolean runs(String section) {
        return only.isEmpty() || only.contains(section);
    }

    /** Samples for a warm latency figure. */
    int samples() {
        return samplesOption > 0 ? samplesOption : quick ? 300 : 2000;
    }

    /** Untimed calls before a warm latency figure. */
    int warmup() {
        return samples();
    }
}
