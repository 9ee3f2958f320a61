package io.clusterpeering.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, with each section's notes and charts: printed as a table, written as
 * {@code figures.tsv} (which a later run reads as its "before" column) and as the Markdown report.
 */
public final class Results {
    private final Path dir;
    private final List<Figure> figures = new ArrayList<>();
    private final Map<String, List<String>> notes = new LinkedHashMap<>();

    Results(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the PNGs go. */
    public Path dir() {
        return dir;
    }

    public synchronized void add(Figure figure) {
        figures.add(figure);
    }

    /** A paragraph of Markdown under a section's table: how it was measured, what it shows, where a design breaks. */
    public synchronized void note(String section, String markdown) {
        notes.computeIfAbsent(section, s -> new ArrayList<>()).add(markdown);
    }

    public synchronized List<Figure> figures() {
        return List.copyOf(figures);
    }

    /** The table on standard output. */
    public void print(PrintStream out) {
        out.printf("%-64s %12s %-8s %12s %8s %8s%n", "figure", "value", "unit", "denominator", "ratio", "target");
        String section = null;
        for (Figure f : figures()) {
            if (!f.section().equals(section)) {
                section = f.section();
                out.println("-- " + section);
            }
            out.printf("%-64s %12s %-8s %12s %8s %8s%n", cut(f.name(), 64), num(f.value()), f.unit(),
                    Double.isNaN(f.denominatorValue()) ? "" : num(f.denominatorValue()),
                    Double.isNaN(f.ratio()) ? "" : String.format(Locale.ROOT, "%.2fx", f.ratio()),
                    f.met() == null ? "" : (f.met() ? "met" : "MISSED") + " <=" + num(f.targetRatio()));
        }
    }

    /** {@code id, name, value, unit, denominator value, ratio} per line. */
    public void writeTsv(Path file) {
        StringBuilder tsv = new StringBuilder("id\tname\tvalue\tunit\tdenominator\tratio\n");
        for (Figure f : figures()) {
            tsv.append(f.id()).append('\t').append(f.name()).append('\t').append(f.value()).append('\t')
                    .append(f.unit()).append('\t').append(f.denominatorValue()).append('\t').append(f.ratio()).append('\n');
        }
        write(file, tsv.toString());
    }

    /** Reads a {@code figures.tsv}: id → {value, ratio}. */
    static Map<String, double[]> readTsv(Path file) {
        Map<String, double[]> values = new LinkedHashMap<>();
        if (file == null || !Files.isRegularFile(file)) {
            return values;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split("\t");
                values.put(cells[0], new double[]{Double.parseDouble(cells[2]), Double.parseDouble(cells[5])});
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return values;
    }

    /**
     * The report.
     *
     * @param header    the run's description (machine, JVM, command, date, load), Markdown
     * @param titles    section id → title, in report order
     * @param baseline  id → {value, ratio} of the "before" run, possibly empty
     * @param analysis  hand-written Markdown appended at the end, or null
     */
    public void writeMarkdown(Path file, String header, Map<String, String> titles, Map<String, double[]> baseline,
                              String analysis) {
        StringBuilder md = new StringBuilder(header);
        boolean before = !baseline.isEmpty();
        md.append("\n## Every figure\n\n");
        md.append("Ratio = figure / denominator (for rates: denominator / figure), so above 1 is always the cost of our code "
                + "over the bare minimum. ").append(before ? "\"Before\" is the baseline file's figure (`bench/results/before.tsv` unless `--baseline` names "
                        + "another; the committed one is the run before issue 21, commit d51254f)." : "")
                .append("\n\n");
        table(md, figures(), before, baseline);
        for (Map.Entry<String, String> section : titles.entrySet()) {
            List<Figure> own = figures().stream().filter(f -> f.section().equals(section.getValue())).toList();
            List<String> text = notes.getOrDefault(section.getValue(), List.of());
            if (own.isEmpty() && text.isEmpty()) {
                continue;
            }
            md.append("\n## ").append(section.getValue()).append("\n\n");
            text.forEach(t -> md.append(t).append("\n\n"));
            own.stream().map(Figure::chart).filter(c -> c != null).distinct()
                    .forEach(c -> md.append("![").append(c).append("](").append(dir.resolve(c).toString().replace('\\', '/'))
                            .append(")\n\n"));
        }
        if (analysis != null) {
            md.append('\n').append(analysis).append('\n');
        }
        write(file, md.toString());
    }

    private static void table(StringBuilder md, List<Figure> figures, boolean before, Map<String, double[]> baseline) {
        md.append("| Figure | Value | Denominator | Denominator value | Ratio | Target |")
                .append(before ? " Before | Before ratio |" : "").append(" Detail |\n");
        md.append("|---|---:|---|---:|---:|---|").append(before ? "---:|---:|" : "").append("---|\n");
        for (Figure f : figures) {
            md.append("| ").append(f.name()).append(" | ").append(num(f.value())).append(' ').append(f.unit()).append(" | ")
                    .append(f.denominator() == null ? "" : f.denominator()).append(" | ")
                    .append(Double.isNaN(f.denominatorValue()) ? "" : num(f.denominatorValue()) + " " + f.unit()).append(" | ")
                    .append(Double.isNaN(f.ratio()) ? "" : String.format(Locale.ROOT, "%.2f×", f.ratio())).append(" | ")
                    .append(f.met() == null ? "" : (f.met() ? "≤ " : "**missed** ≤ ") + num(f.targetRatio()) + "×")
                    .append(" | ");
            if (before) {
                double[] b = baseline.get(f.id());
                md.append(b == null ? "" : num(b[0]) + " " + f.unit()).append(" | ")
                        .append(b == null || Double.isNaN(b[1]) ? "" : String.format(Locale.ROOT, "%.2f×", b[1])).append(" | ");
            }
            md.append(f.detail() == null ? "" : f.detail().replace("|", "\\|")).append(" |\n");
        }
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (Math.abs(v) >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String cut(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static void write(Path file, String text) {
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
