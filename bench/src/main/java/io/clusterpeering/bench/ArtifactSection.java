package io.clusterpeering.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** The Lambda artifacts: each jar's size and entry count, and what takes the room in the main one. */
final class ArtifactSection implements Section {
    static final String TITLE = "Lambda artifacts";

    @Override
    public String id() {
        return "artifact";
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public void run(BenchRun run) throws IOException {
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(run.lambdaJar().getParent(), "*-lambda.jar")) {
            found.forEach(j -> {
                if (!j.getFileName().toString().startsWith("original-")) {
                    jars.add(j);
                }
            });
        }
        jars.sort(null);
        for (Path jar : jars) {
            String name = jar.getFileName().toString();
            int entries;
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                entries = zip.size();
            }
            run.results().add(Figure.alone("artifact." + name, TITLE, name + " size", Files.size(jar) / 1e6, "MB",
                    entries + " entries", null));
        }
        Map<String, long[]> byGroup = new TreeMap<>();
        try (ZipFile zip = new ZipFile(run.lambdaJar().toFile())) {
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                long[] sizes = byGroup.computeIfAbsent(group(entry.getName()), g -> new long[2]);
                sizes[0] += Math.max(0, entry.getCompressedSize());
                sizes[1] += Math.max(0, entry.getSize());
            }
        }
        StringBuilder md = new StringBuilder("What takes the room in `functions-lambda.jar` (compressed / uncompressed MB):\n\n"
                + "| Part | Compressed | Uncompressed |\n|---|---:|---:|\n");
        Map<String, long[]> sorted = new LinkedHashMap<>();
        byGroup.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                .limit(14).forEach(en -> sorted.put(en.getKey(), en.getValue()));
        sorted.forEach((group, sizes) -> md.append("| `").append(group).append("` | ")
                .append(Results.num(sizes[0] / 1e6)).append(" | ").append(Results.num(sizes[1] / 1e6)).append(" |\n"));
        run.results().note(TITLE, md.toString());
    }

    private static String group(String name) {
        String[] parts = name.split("/");
        if (name.startsWith("software/amazon/awssdk/services/") && parts.length > 4) {
            return "software/amazon/awssdk/services/" + parts[4];
        }
        if (name.startsWith("software/amazon/awssdk/")) {
            return "software/amazon/awssdk (core, http, auth, ...)";
        }
        if (name.startsWith("META-INF/")) {
            return "META-INF";
        }
        return parts.length >= 3 ? parts[0] + "/" + parts[1] + (parts.length > 3 ? "/" + parts[2] : "") : parts[0];
    }
}
