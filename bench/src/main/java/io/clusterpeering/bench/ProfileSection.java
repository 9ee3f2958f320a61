package io.clusterpeering.bench;

import io.clusterpeering.bench.probe.ProbeEvents;
import io.clusterpeering.function.ListPeeringsFunction;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where a cold start goes: one fresh JVM of {@code ListPeeringsFunction} recorded with JDK Flight Recorder
 * (execution samples every millisecond, class loading, allocation samples), summed by library: CPU samples
 * (inclusive and self), classes loaded and allocation; plus a flame graph PNG and the collapsed stacks.
 */
final class ProfileSection implements Section {
    static final String TITLE = "Cold-start profile (JFR)";

    @Override
    public String id() {
        return "profile";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws Exception {
        try (Cluster cluster = Cluster.start(run.endpoint(), run.newTable("profile"), true, Map.of())) {
            cluster.ok("POST", "/v1/peering/token", "{\"PeerName\":\"bench-peer\"}");
            Path event = run.work().resolve("profile.event");
            ProbeEvents.write(event, "GET", "/v1/peerings", Map.of(), Map.of(), cluster.headers(), null);
            Path settings = run.work().resolve("cold.jfc");
            String jfc = Files.readString(Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc"));
            jfc = jfc.replaceAll("(?s)(<event name=\"jdk.ExecutionSample\">.*?<setting name=\"period\"[^>]*>)[^<]*", "$11 ms")
                    .replaceAll("(?s)(<event name=\"jdk.ClassLoad\">\\s*<setting name=\"enabled\"[^>]*>)[^<]*", "$1true")
                    .replaceAll("(?s)(<event name=\"jdk.ClassLoad\">.*?<setting name=\"threshold\"[^>]*>)[^<]*", "$10 ms");
            Files.writeString(settings, jfc);
            Path recording = run.work().resolve("cold-start.jfr");
            Map<String, String> env = new HashMap<>();
            env.put("PEERING_DYNAMODB_ENDPOINT", run.endpoint());
            env.put("AWS_REGION", "us-east-1");
            env.put("PEERING_DYNAMODB_TABLE_NAME", cluster.table());
            env.put("PEERING_ACL_ENABLED", "true");
            env.put("PEERING_IDENTITY_SOURCE", "dynamodb");
            run.progress().step("ListPeeringsFunction cold start under JFR");
            BenchRun.ProbeResult result = run.probe(run.lambdaClasspath(), ListPeeringsFunction.class.getName(), event, env,
                    List.of("-D" + io.clusterpeering.function.LambdaLogConfigurator.FORMAT_PROPERTY + "=json", "-XX:FlightRecorderOptions:stackdepth=256",
                            "-XX:StartFlightRecording=filename=" + recording + ",settings=" + settings), false);
            analyse(run, recording, result);
        }
    }

    private static void analyse(BenchRun run, Path recording, BenchRun.ProbeResult result) throws Exception {
        Map<String, Integer> inclusive = new TreeMap<>();
        Map<String, Integer> self = new TreeMap<>();
        Map<String, Integer> classes = new TreeMap<>();
        Map<String, Long> allocated = new TreeMap<>();
        Map<String, Integer> collapsed = new HashMap<>();
        int samples = 0;
        int loaded = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(recording)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ExecutionSample")) {
                RecordedStackTrace stack = e.getStackTrace();
                if (stack == null || stack.getFrames().isEmpty()) {
                    continue;
                }
                samples++;
                List<RecordedFrame> frames = stack.getFrames();
                self.merge(group(frames.get(0).getMethod().getType().getName()), 1, Integer::sum);
                Set<String> seen = new HashSet<>();
                StringBuilder line = new StringBuilder();
                for (int i = frames.size() - 1; i >= 0; i--) {
                    String cls = frames.get(i).getMethod().getType().getName();
                    if (seen.add(group(cls))) {
                        inclusive.merge(group(cls), 1, Integer::sum);
                    }
                    line.append(line.length() == 0 ? "" : ";").append(shortName(cls)).append('.')
                            .append(frames.get(i).getMethod().getName());
                }
                collapsed.merge(line.toString(), 1, Integer::sum);
            } else if (type.equals("jdk.ClassLoad")) {
                loaded++;
                classes.merge(group(e.getClass("loadedClass").getName()), 1, Integer::sum);
            } else if (type.equals("jdk.ObjectAllocationSample")) {
                RecordedStackTrace stack = e.getStackTrace();
                String where = stack == null || stack.getFrames().isEmpty() ? "(unknown)"
                        : group(stack.getFrames().get(0).getMethod().getType().getName());
                allocated.merge(where, e.getLong("weight"), Long::sum);
            }
        }
        StringBuilder text = new StringBuilder();
        collapsed.forEach((stack, count) -> text.append(stack).append(' ').append(count).append('\n'));
        Results.write(run.results().dir().resolve("cold-start-profile.collapsed"), text.toString());
        flameGraph(run.results().dir().resolve("cold-start-flame.png"), collapsed, samples);
        long totalAlloc = allocated.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "One fresh JVM of `ListPeeringsFunction` under JFR (1 ms execution sampling, class loading, allocation "
                        + "samples; JFR itself slows the start): %d ms to the first answer (init %d ms, first request %d ms), "
                        + "%d execution samples, %d classes loaded (not counting the JDK's shared archive), about %.0f MB "
                        + "allocated. By library (inclusive CPU = share of samples with that library anywhere on the stack):\n\n",
                result.total(), result.init(), result.firstRequest(), samples, loaded, totalAlloc / 1e6));
        md.append("| Library | CPU samples, inclusive | CPU samples, self | Classes loaded | Allocated (MB) |\n")
                .append("|---|---:|---:|---:|---:|\n");
        Set<String> groups = new java.util.TreeSet<>();
        groups.addAll(inclusive.keySet());
        groups.addAll(classes.keySet());
        List<String> ordered = new ArrayList<>(groups);
        ordered.sort((a, b) -> Integer.compare(inclusive.getOrDefault(b, 0), inclusive.getOrDefault(a, 0)));
        for (String g : ordered) {
            md.append(String.format(Locale.ROOT, "| %s | %.0f%% | %.0f%% | %d | %.1f |\n", g,
                    100.0 * inclusive.getOrDefault(g, 0) / Math.max(1, samples),
                    100.0 * self.getOrDefault(g, 0) / Math.max(1, samples), classes.getOrDefault(g, 0),
                    allocated.getOrDefault(g, 0L) / 1e6));
        }
        md.append("\nFlame graph of the execution samples (root at the bottom; `cold-start-profile.collapsed` has the "
                + "stacks in the collapsed format any flame-graph tool reads):\n\n![cold-start-flame.png]("
                + run.results().dir().resolve("cold-start-flame.png").toString().replace('\\', '/') + ")\n");
        run.results().note(TITLE, md.toString());
        run.results().add(Figure.alone("profile.classes", TITLE, "classes loaded by a ListPeeringsFunction cold start "
                + "(JFR, outside the CDS archive)", loaded, "classes", samples + " CPU samples", null));
    }

    /** The library a class belongs to. */
    static String group(String cls) {
        Map<String, String> prefixes = new LinkedHashMap<>();
        prefixes.put("io.clusterpeering.", "our code (io.clusterpeering)");
        prefixes.put("io.micronaut.validation", "Micronaut validation");
        prefixes.put("io.micronaut.jackson", "Micronaut Jackson");
        prefixes.put("io.micronaut.", "Micronaut core/context/http");
        prefixes.put("reactor.", "Reactor");
        prefixes.put("software.amazon.awssdk.", "AWS SDK");
        prefixes.put("com.fasterxml.jackson.", "Jackson");
        prefixes.put("ch.qos.logback.", "Logback");
        prefixes.put("org.slf4j.", "SLF4J");
        prefixes.put("com.nimbusds.", "Nimbus JOSE");
        prefixes.put("org.bouncycastle.", "Bouncy Castle");
        prefixes.put("com.amazonaws.", "Lambda events/core");
        prefixes.put("io.netty.", "Netty");
        prefixes.put("sun.security.", "JDK security/TLS");
        prefixes.put("javax.net.ssl", "JDK security/TLS");
        prefixes.put("java.security.", "JDK security/TLS");
        prefixes.put("jdk.internal.loader", "JDK class loading");
        prefixes.put("java.lang.ClassLoader", "JDK class loading");
        prefixes.put("java.util.zip", "JDK class loading");
        prefixes.put("java.lang.invoke", "JDK lambdas/invoke");
        prefixes.put("java.lang.reflect", "JDK reflection");
        prefixes.put("jdk.internal.reflect", "JDK reflection");
        prefixes.put("jdk.jfr", "JFR itself");
        for (Map.Entry<String, String> p : prefixes.entrySet()) {
            if (cls.startsWith(p.getKey())) {
                return p.getValue();
            }
        }
        return "JDK other / rest";
    }

    private static String shortName(String cls) {
        int dot = cls.lastIndexOf('.');
        return dot < 0 ? cls : cls.substring(dot + 1);
    }

    /** An icicle flame graph: one rectangle per frame, width = share of samples, root at the bottom. */
    private static void flameGraph(Path file, Map<String, Integer> collapsed, int total) throws Exception {
        Node root = new Node("all");
        collapsed.forEach((stack, count) -> {
            Node node = root;
            node.count += count;
            for (String frame : stack.split(";")) {
                node = node.children.computeIfAbsent(frame, Node::new);
                node.count += count;
            }
        });
        int depth = Math.min(60, root.depth());
        int width = 1800;
        int row = 16;
        BufferedImage image = new BufferedImage(width, (depth + 2) * row, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, image.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        draw(g, root, 0, width, image.getHeight() - row, row, Math.max(1, total), width);
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    private static void draw(Graphics2D g, Node node, double x, double w, int y, int row, int total, int width) {
        if (w < 1 || y < 0) {
            return;
        }
        int hash = node.name.hashCode();
        g.setColor(new Color(205 + Math.abs(hash % 50), 80 + Math.abs((hash >> 8) % 120), 40 + Math.abs((hash >> 16) % 50)));
        g.fillRect((int) x, y, (int) Math.max(1, w - 1), row - 1);
        if (w > 40) {
            g.setColor(Color.BLACK);
            String label = node.name;
            int chars = (int) (w / 6);
            g.drawString(label.length() > chars ? label.substring(0, Math.max(1, chars - 1)) + "…" : label, (int) x + 2, y + row - 4);
        }
        double cx = x;
        for (Node child : node.children.values()) {
            double cw = w * child.count / (double) node.count;
            draw(g, child, cx, cw, y - row, row, total, width);
            cx += cw;
        }
    }

    private static final class Node {
        final String name;
        final Map<String, Node> children = new TreeMap<>();
        int count;

        Node(String name) {
            this.name = name;
        }

        int depth() {
            int d = 0;
            for (Node c : children.values()) {
                d = Math.max(d, c.depth());
            }
            return d + 1;
        }
    }
}
