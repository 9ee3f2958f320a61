package io.clusterpeering.bench;

/**
 * One figure of the report: what was measured, beside its denominator from the same run, and the ratio.
 *
 * @param id           a stable key (the before/after table matches runs on it), for example {@code warm.read.p50}
 * @param section      the report section
 * @param name         what was measured, in words
 * @param value        the measured value, in {@code unit}
 * @param unit         {@code ms}, {@code items/s}, {@code MB}, ...
 * @param denominator  what it is compared with, in words; null when it stands alone
 * @param denominatorValue the denominator's value, in {@code unit}; NaN when none
 * @param targetRatio  the most the ratio may be (a "≤" target), NaN when there is no target
 * @param higherIsBetter true for rates (the ratio is then denominator / value, so that above 1 is always worse)
 * @param detail       a short note: samples, status, round trips
 * @param chart        the PNG under the results folder that draws it, or null
 */
public record Figure(String id, String section, String name, double value, String unit, String denominator,
                     double denominatorValue, double targetRatio, boolean higherIsBetter, String detail, String chart) {

    /** How many times the denominator: value / denominator (for rates, denominator / value); NaN without one. */
    public double ratio() {
        if (Double.isNaN(denominatorValue) || denominatorValue == 0) {
            return Double.NaN;
        }
        return higherIsBetter ? denominatorValue / value : value / denominatorValue;
    }

    /** Whether the target is met; null when there is none. */
    public Boolean met() {
        return Double.isNaN(targetRatio) ? null : ratio() <= targetRatio;
    }

    /** A figure without denominator or target. */
    public static Figure alone(String id, String section, String name, double value, String unit, String detail, String chart) {
        return new Figure(id, section, name, value, unit, null, Double.NaN, Double.NaN, false, detail, chart);
    }

    /** A figure beside its denominator, without a target. */
    public static Figure versus(String id, String section, String name, double value, String unit, String denominator,
                                double denominatorValue, String detail, String chart) {
        return new Figure(id, section, name, value, unit, denominator, denominatorValue, Double.NaN, false, detail, chart);
    }

    /** This figure with a "ratio ≤ target" goal. */
    public Figure target(double ratio) {
        return new Figure(id, section, name, value, unit, denominator, denominatorValue, ratio, higherIsBetter, detail, chart);
    }

    /** This figure as a rate, where more is better. */
    public Figure rate() {
        return new Figure(id, section, name, value, unit, denominator, denominatorValue, targetRatio, true, detail, chart);
    }
}
