package io.clusterpeering.bench;

import java.util.Arrays;
import java.util.List;

/** Medians of the few samples a fresh-JVM figure has (HdrHistogram is for the thousands of a warm figure). */
final class Stats {
    private Stats() {
    }

    static double median(List<Long> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }

    static String list(List<Long> values) {
        return Arrays.toString(values.stream().mapToLong(Long::longValue).toArray());
    }
}
