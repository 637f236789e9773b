package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Expected values are Python's statistics.quantiles() (method "exclusive") on the same data. */
class StatsTest {
    @Test
    void quartilesMatchPythonsExclusiveMethod() {
        double[] oneToTen = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
        Stats.Summary s = Stats.of(oneToTen);
        assertEquals(2.75, s.p25(), 1e-12);
        assertEquals(5.5, s.p50(), 1e-12);
        assertEquals(8.25, s.p75(), 1e-12);
        assertEquals(1, s.min());
        assertEquals(10, s.max());
        assertEquals(5.5, s.average(), 1e-12);
        assertEquals(10, s.count());

        Stats.Summary pi = Stats.of(new double[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5});
        assertEquals(2.0, pi.p25(), 1e-12);
        assertEquals(4.0, pi.p50(), 1e-12);
        assertEquals(5.0, pi.p75(), 1e-12);
    }

    @Test
    void percentilesOfTwoHundredSamplesMatchPython() {
        double[] values = new double[200];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i * i) % 97;
        }
        Stats.Summary s = Stats.of(values);
        assertEquals(18.0, s.p25(), 1e-9);
        assertEquals(47.5, s.p50(), 1e-9);
        assertEquals(73.0, s.p75(), 1e-9);
        assertEquals(96.0, s.p99(), 1e-9);
    }

    @Test
    void ranksOutsideTheSampleAreClampedToMinAndMax() {
        // Python extrapolates p99 of these 20 values to 163.99; a percentile past the max means nothing here
        double[] values = new double[20];
        for (int i = 0; i < 19; i++) {
            values[i] = i + 1;
        }
        values[19] = 100;
        assertEquals(100, Stats.of(values).p99());
        assertEquals(7, Stats.of(new double[] {7}).p50());
        assertEquals(1, Stats.percentile(new double[] {1, 2}, 0.25));
    }

    @Test
    void doesNotReorderTheCallersArray() {
        double[] values = {3, 1, 2};
        Stats.of(values);
        assertEquals(3, values[0]);
        assertEquals(2.0, Stats.of(List.of(3.0, 1.0, 2.0)).p50());
    }

    @Test
    void emptySeriesIsAllNaNAndWrittenAsNull() {
        Stats.Summary s = Stats.of(new double[0]);
        assertEquals(0, s.count());
        assertTrue(Double.isNaN(s.p50()));
        assertTrue(s.toJson().get("p50").isNull());
        assertThrows(IllegalArgumentException.class, () -> Stats.percentile(new double[] {1}, 1.0));
    }
}
