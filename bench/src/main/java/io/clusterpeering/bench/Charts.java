package io.clusterpeering.bench;

import org.HdrHistogram.Histogram;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.renderer.xy.XYStepRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The report's PNGs, drawn with JFreeChart: latency histograms, bar charts and scale curves. */
public final class Charts {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * Latency histograms of several series on one chart: share of samples per bucket (60 equal buckets from the
     * smallest sample to the largest p99.9), in milliseconds.
     */
    public static void latency(Path file, String title, Map<String, Histogram> series) {
        long low = Long.MAX_VALUE;
        long high = 0;
        for (Histogram h : series.values()) {
            low = Math.min(low, h.getMinValue());
            high = Math.max(high, h.getValueAtPercentile(99.9));
        }
        int buckets = 60;
        double width = Math.max(1_000.0, (high - low) / (double) buckets);
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, Histogram> entry : series.entrySet()) {
            Histogram h = entry.getValue();
            XYSeries xy = new XYSeries(entry.getKey() + String.format(" (p50 %.2f ms, p99 %.2f ms)",
                    Latency.ms(h, 50), Latency.ms(h, 99)));
            for (int b = 0; b <= buckets; b++) {
                long from = (long) (low + b * width);
                long to = (long) (low + (b + 1) * width);
                double count = h.getCountBetweenValues(from, to - 1);
                xy.add(from / 1e6, 100.0 * count / h.getTotalCount());
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "latency (ms)", "% of samples", data,
                PlotOrientation.VERTICAL, true, false, false);
        XYStepRenderer renderer = new XYStepRenderer();
        for (int i = 0; i < series.size(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        chart.getXYPlot().setRenderer(renderer);
        save(chart, file);
    }

    /**
     * Grouped bars: one group per category, one bar per series.
     *
     * @param horizontal bars left to right (for long category names)
     */
    public static void bars(Path file, String title, String valueAxis, List<String> categories,
                            Map<String, double[]> series, boolean horizontal) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        for (Map.Entry<String, double[]> entry : series.entrySet()) {
            for (int i = 0; i < categories.size(); i++) {
                data.addValue(entry.getValue()[i], entry.getKey(), categories.get(i));
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(title, null, valueAxis, data,
                horizontal ? PlotOrientation.HORIZONTAL : PlotOrientation.VERTICAL, true, false, false);
        int height = horizontal ? Math.max(HEIGHT, 60 + categories.size() * 14 * Math.max(1, series.size())) : HEIGHT;
        save(chart, file, WIDTH, height);
    }

    /**
     * Curves of y over x, one per series, with points marked; a log x axis for scale steps (10, 100, 1,000).
     *
     * @param series name → {x values, y values}
     */
    public static void curves(Path file, String title, String xAxis, String yAxis, Map<String, double[][]> series,
                              boolean logX) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> entry : series.entrySet()) {
            XYSeries xy = new XYSeries(entry.getKey());
            double[][] points = entry.getValue();
            for (int i = 0; i < points[0].length; i++) {
                xy.add(points[0][i], points[1][i]);
            }
            data.addSeries(xy);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, xAxis, yAxis, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        if (logX) {
            LogAxis axis = new LogAxis(xAxis);
            axis.setBase(10);
            axis.setSmallestValue(1);
            plot.setDomainAxis(axis);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        plot.setRenderer(renderer);
        save(chart, file);
    }

    private static void save(JFreeChart chart, Path file) {
        save(chart, file, WIDTH, HEIGHT);
    }

    private static void save(JFreeChart chart, Path file, int width, int height) {
        chart.setBackgroundPaint(Color.WHITE);
        try {
            ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
