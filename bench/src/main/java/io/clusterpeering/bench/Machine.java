package io.clusterpeering.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** What the report says about the machine and the run: CPU, memory, OS, JVMs, load, command, commit. */
final class Machine {
    /** Below this 1-minute load average the machine counts as quiet. */
    static final double QUIET_LOAD = 1.5;

    private Machine() {
    }

    /** {1, 5, 15}-minute load averages, or NaN where the OS does not say. */
    static double[] loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[]{Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (IOException | RuntimeException e) {
            double one = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return new double[]{one, Double.NaN, Double.NaN};
        }
    }

    /** Waits up to 15 minutes for a 1-minute load average below {@link #QUIET_LOAD}; returns the load at the start. */
    static double[] waitForQuiet(boolean wait, Progress progress) {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        double[] load = loadAverage();
        while (wait && load[0] >= QUIET_LOAD && System.nanoTime() < deadline) {
            progress.step(String.format(Locale.ROOT, "waiting for a quiet machine: load %.2f (want < %.1f, at most 15 min)",
                    load[0], QUIET_LOAD));
            DynamoDbLocalProcess.sleep(15_000);
            load = loadAverage();
        }
        return load;
    }

    static String header(Options options, Instant started, Instant ended, double[] before, double[] after) {
        StringBuilder md = new StringBuilder("# Benchmarks\n\n");
        md.append("Written by `bench/run.sh").append(options.args().isEmpty() ? "" : " " + String.join(" ", options.args()))
                .append("` (every figure, its denominator and the ratio, from one run; see the README's Benchmarks section). ")
                .append("Do not edit by hand: rerun the command.\n\n");
        md.append("| Run | |\n|---|---|\n");
        md.append("| Date (UTC) | ").append(started).append(" → ").append(ended).append(" |\n");
        md.append("| Commit | `").append(commit()).append("` |\n");
        md.append("| Command | `bench/run.sh").append(options.args().isEmpty() ? "" : " " + String.join(" ", options.args())).append("` |\n");
        md.append("| Machine | ").append(cpu()).append(", ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, ").append(memory()).append(", ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(" |\n");
        md.append("| Load average (1/5/15 min) | before ").append(load(before)).append("; after ").append(load(after))
                .append(before[0] >= QUIET_LOAD ? " (**not quiet**: the machine is shared; wall-clock figures are noisy, "
                        + "ratios less so since both sides ran interleaved)" : "").append(" |\n");
        md.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.vm.version"))
                .append(" (driver and every fresh JVM) |\n");
        md.append("| Fresh-JVM flags | `").append(String.join(" ", BenchRun.LAMBDA_JVM_FLAGS))
                .append("` (").append(BenchRun.LAMBDA_JVM_FLAGS_WHY).append(") |\n");
        md.append("| Driver JVM | default JIT (C2); warm figures are steady state after warm-up |\n");
        md.append("| Engine | Amazon DynamoDB Local 2.6.1, in memory, its own JVM on 127.0.0.1 |\n");
        md.append("| Samples | warm figures: ").append(options.warmup()).append(" warm-up calls, then ")
                .append(options.samples()).append(" timed; cold figures: median of ").append(options.coldRuns())
                .append(" fresh JVMs (").append(2 * options.coldRuns() + 1).append(" for the headline functions) |\n");
        return md.toString();
    }

    private static String load(double[] l) {
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", l[0], l[1], l[2]);
    }

    private static String cpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        try {
            String line = Files.readAllLines(Path.of("/proc/meminfo")).get(0);
            long kb = Long.parseLong(line.replaceAll("\\D", ""));
            return String.format(Locale.ROOT, "%.0f GB RAM", kb / 1024.0 / 1024.0);
        } catch (IOException | RuntimeException e) {
            return "unknown RAM";
        }
    }

    private static String commit() {
        try {
            Process git = new ProcessBuilder(List.of("git", "describe", "--always", "--dirty")).redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            git.waitFor();
            return out.isEmpty() ? "unknown" : out;
        } catch (IOException | InterruptedException e) {
            return "unknown";
        }
    }
}
