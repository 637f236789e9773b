package dev.braid.ecmp.lab.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.lab.impair.ImpairmentModel.Verdict;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImpairmentModelTest {
    private static final int PACKETS = 200_000;
    private static final long MS = 1_000_000;

    /** Four standard deviations of a count of correlated events (lag-k correlation c^k: variance × (1+c)/(1−c)). */
    private static double tolerance(int n, double p, double correlation) {
        return 4 * Math.sqrt(n * p * (1 - p) * (1 + correlation) / (1 - correlation));
    }

    private static List<Verdict> run(ImpairmentModel model, Impairment impairment, int packets) {
        List<Verdict> verdicts = new ArrayList<>(packets);
        for (int i = 0; i < packets; i++) {
            verdicts.add(model.decide(impairment, i * 10_000L));
        }
        return verdicts;
    }

    @ParameterizedTest
    @EnumSource(value = Profile.class, names = {"LOW", "MEDIUM", "HIGH"})
    void lossAndReorderRatesMatchTheProfile(Profile profile) {
        Impairment imp = profile.impairment();
        List<Verdict> verdicts = run(new ImpairmentModel(42), imp, PACKETS);
        long lost = verdicts.stream().filter(v -> v == Verdict.LOSE).count();
        long reordered = verdicts.stream().filter(v -> v == Verdict.REORDER).count();
        long survived = PACKETS - lost;

        double pLoss = imp.lossPercent() / 100;
        double pReorder = imp.reorderPercent() / 100;
        assertEquals(PACKETS * pLoss, lost, tolerance(PACKETS, pLoss, imp.lossCorrelationPercent() / 100),
                profile + " loss");
        assertEquals(survived * pReorder, reordered,
                tolerance((int) survived, pReorder, imp.reorderCorrelationPercent() / 100), profile + " reorder");
    }

    private static double meanRunLength(List<Verdict> verdicts, Verdict kind) {
        int runs = 0;
        int events = 0;
        Verdict previous = null;
        for (Verdict v : verdicts) {
            if (v == kind) {
                events++;
                if (previous != kind) {
                    runs++;
                }
            }
            previous = v;
        }
        return (double) events / runs;
    }

    @Test
    void lossCorrelationMakesBurstsLongerButKeepsTheRate() {
        Impairment independent = new Impairment(0, 0, 0, 5, 0, 0, 0);
        Impairment correlated = new Impairment(0, 0, 0, 5, 50, 0, 0);
        List<Verdict> a = run(new ImpairmentModel(7), independent, PACKETS);
        List<Verdict> b = run(new ImpairmentModel(7), correlated, PACKETS);

        double burstIndependent = meanRunLength(a, Verdict.LOSE);
        double burstCorrelated = meanRunLength(b, Verdict.LOSE);
        // independent: 1/(1−p) ≈ 1.05; repeat-with-probability-½: 1/(1−(½+½p)) ≈ 2.1
        assertTrue(burstIndependent < 1.15, "independent bursts " + burstIndependent);
        assertTrue(burstCorrelated > 1.8, "correlated bursts " + burstCorrelated);
        long lostCorrelated = b.stream().filter(v -> v == Verdict.LOSE).count();
        assertEquals(PACKETS * 0.05, lostCorrelated, tolerance(PACKETS, 0.05, 0.5));
    }

    private static long[] delays(ImpairmentModel model, Impairment imp, int packets) {
        long[] d = new long[packets];
        for (int i = 0; i < packets; i++) {
            long now = 1_000_000_000L + i * 10_000L;
            assertEquals(Verdict.DELAY, model.decide(imp, now));
            d[i] = model.dueNanos() - now;
        }
        return d;
    }

    @Test
    void delayStaysWithinDelayPlusMinusJitterAndSpansIt() {
        Impairment imp = new Impairment(6 * MS, 2 * MS, 0, 0, 0, 0, 0);
        long[] d = delays(new ImpairmentModel(3), imp, PACKETS);
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        double sum = 0;
        for (long x : d) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
        }
        assertTrue(min >= 4 * MS && max <= 8 * MS, "delays in [" + min + ", " + max + "] ns");
        assertTrue(min < 4.05 * MS && max > 7.95 * MS, "uniform jitter should reach both ends: " + min + ".." + max);
        assertEquals(6 * MS, sum / d.length, 0.02 * MS);
    }

    @Test
    void jitterLargerThanDelayClampsAtZero() {
        Impairment imp = new Impairment(4 * MS, 7 * MS, 0, 0, 0, 0, 0);
        long[] d = delays(new ImpairmentModel(5), imp, PACKETS);
        long zero = 0;
        for (long x : d) {
            assertTrue(x >= 0 && x <= 11 * MS, "delay " + x);
            if (x == 0) {
                zero++;
            }
        }
        // P(4 + 7·(2u−1) <= 0) = P(u <= 3/14)
        assertEquals(PACKETS * 3.0 / 14, zero, tolerance(PACKETS, 3.0 / 14, 0));
    }

    @Test
    void jitterCorrelationMakesSuccessiveDelaysCloser() {
        long[] independent = delays(new ImpairmentModel(9), new Impairment(10 * MS, 5 * MS, 0, 0, 0, 0, 0), PACKETS);
        long[] correlated = delays(new ImpairmentModel(9), new Impairment(10 * MS, 5 * MS, 75, 0, 0, 0, 0), PACKETS);
        assertTrue(meanStep(correlated) < 0.5 * meanStep(independent),
                "mean step " + meanStep(correlated) + " vs " + meanStep(independent));
        for (long x : correlated) {
            assertTrue(x >= 5 * MS && x <= 15 * MS);
        }
    }

    private static double meanStep(long[] d) {
        double sum = 0;
        for (int i = 1; i < d.length; i++) {
            sum += Math.abs(d[i] - d[i - 1]);
        }
        return sum / (d.length - 1);
    }

    @Test
    void withoutDelayNothingIsReorderedAndNothingWaits() {
        Impairment imp = new Impairment(0, 0, 0, 10, 0, 50, 0);
        List<Verdict> v = run(new ImpairmentModel(11), imp, 10_000);
        assertTrue(v.stream().noneMatch(x -> x == Verdict.REORDER || x == Verdict.DELAY));
        assertTrue(v.contains(Verdict.LOSE) && v.contains(Verdict.SEND_NOW));
    }

    @Test
    void theSeedFixesTheDecisions() {
        Impairment imp = Profile.HIGH.impairment();
        List<Verdict> first = run(new ImpairmentModel(99), imp, 5000);
        assertTrue(first.equals(run(new ImpairmentModel(99), imp, 5000)), "same seed, same decisions");
        assertFalse(first.equals(run(new ImpairmentModel(100), imp, 5000)), "another seed, other decisions");
        assertTrue(first.contains(Verdict.LOSE) && first.contains(Verdict.REORDER), "HIGH loses and reorders");
    }
}
