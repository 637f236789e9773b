package dev.braid.gateway.bench;

import java.util.Arrays;
import java.util.Collection;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The statistics dictionary every benchmark series is reduced to (count, min, p25, p50, p75, p99,
 * max, average), as in the benchmarking method we follow: empirical percentiles rather than a
 * mean ± deviation, because RTT and per-second throughput series are skewed.
 *
 * <p>Percentiles interpolate linearly between order statistics at rank p·(n+1) — the "exclusive"
 * method, Python's {@code statistics.quantiles()} default — and are clamped to min/max where that
 * rank falls outside 1..n (small samples, p99 of fewer than 99 values).
 */
public final class Stats {
    private Stats() {
    }

    /** A series' summary; every field is NaN when the series was empty. */
    public record Summary(int count, double min, double p25, double p50, double p75, double p99, double max,
                          double average) {
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("count", count);
            Json.put(o, "min", min);
            Json.put(o, "p25", p25);
            Json.put(o, "p50", p50);
            Json.put(o, "p75", p75);
            Json.put(o, "p99", p99);
            Json.put(o, "max", max);
            Json.put(o, "average", average);
            return o;
        }
    }

    public static Summary of(Collection<Double> values) {
        return of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public static Summary of(double[] values) {
        if (values.length == 0) {
            double n = Double.NaN;
            return new Summary(0, n, n, n, n, n, n, n);
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double sum = 0;
        for (double v : sorted) {
            sum += v;
        }
        return new Summary(sorted.length, sorted[0], percentile(sorted, 0.25), percentile(sorted, 0.50),
                percentile(sorted, 0.75), percentile(sorted, 0.99), sorted[sorted.length - 1], sum / sorted.length);
    }

    /**
     * The {@code p}-quantile (0 &lt; p &lt; 1) of an ascending array: rank h = p·(n+1), linear
     * interpolation between the ⌊h⌋-th and the next value (1-based), clamped at the ends.
     */
    public static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("percentile needs 0 < p < 1, got " + p);
        }
        double rank = p * (sorted.length + 1);
        if (rank <= 1) {
            return sorted[0];
        }
        if (rank >= sorted.length) {
            return sorted[sorted.length - 1];
        }
        int below = (int) Math.floor(rank);
        double fraction = rank - below;
        return sorted[below - 1] + fraction * (sorted[below] - sorted[below - 1]);
    }
}
