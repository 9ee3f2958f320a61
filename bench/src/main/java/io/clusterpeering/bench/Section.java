package io.clusterpeering.bench;

import java.util.List;

/**
 * One part of the run: measures its figures and adds them to {@link BenchRun#results()}. The extension point:
 * a new section (for example the scale figures at 1,000 / 10,000 / 100,000 imported instances) is a class that
 * implements this and is listed in {@link Bench#SECTIONS}; it gets the shared engine, the Lambda jar, the probe
 * and the charts through {@link BenchRun}.
 */
public interface Section {
    /** A short id for {@code --only} and the progress line, for example {@code cold}. */
    String id();

    /** The heading of its part of the report. */
    String title();

    /**
     * Further headings this section files figures or notes under (after {@link #title()}, in this order); without
     * them in the list the report would leave those figures' notes and charts out.
     */
    default List<String> subtitles() {
        return List.of();
    }

    /** Measures; figures go to {@code run.results()}, PNGs to {@code run.results().dir()}. */
    void run(BenchRun run) throws Exception;
}
