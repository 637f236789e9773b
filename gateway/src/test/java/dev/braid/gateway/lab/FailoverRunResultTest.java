package dev.braid.gateway.lab;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The failover checks on made-up samples: what counts as a stall, and what a failure tells. */
class FailoverRunResultTest {
    private static final long MS = 1_000_000L;
    private static final long EVENT = 5_000 * MS;

    /**
     * Two flows, ports 1000 (a bystander) and 2000 (on the dead path), sampled every 100 ms from 0 to
     * 20 s; each gets 75 000 bytes an interval, except flow {@code stalledFlow} in the interval ending
     * at sample {@code stalledSample}, and flow 2000 from the event (5 s) to sample {@code deadPathBack}.
     * Each sender is 75 000 bytes ahead of its receiver at every sample, except with {@code
     * emptyPipeBefore} the stalled flow's at the sample before the stall (all it wrote had arrived).
     */
    private static FailoverRun.Result result(int stalledSample, int stalledFlow, long heldUpNanos, int deadPathBack) {
        return result(stalledSample, stalledFlow, heldUpNanos, deadPathBack, false);
    }

    private static FailoverRun.Result result(int stalledSample, int stalledFlow, long heldUpNanos, int deadPathBack,
                                             boolean emptyPipeBefore) {
        List<long[]> received = new ArrayList<>();
        List<long[]> sent = new ArrayList<>();
        List<Long> times = new ArrayList<>();
        List<Long> hiccups = new ArrayList<>();
        long[] r = new long[2];
        for (int i = 0; i <= 200; i++) {
            if (i > 0) {
                for (int f = 0; f < 2; f++) {
                    boolean stalled = i == stalledSample && f == stalledFlow;
                    boolean deadPathOut = f == 1 && i > 50 && i < deadPathBack;
                    if (!stalled && !deadPathOut) {
                        r[f] += 75_000;
                    }
                }
            }
            received.add(r.clone());
            long[] s = {r[0] + 75_000, r[1] + 75_000};
            if (emptyPipeBefore && i == stalledSample - 1) {
                s[stalledFlow] = r[stalledFlow];
            }
            sent.add(s);
            times.add(i * 100 * MS);
            hiccups.add(i == stalledSample ? heldUpNanos : 200_000L);
        }
        return new FailoverRun.Result(new int[] {1000, 2000}, received, sent, times, hiccups);
    }

    @Test
    void flowsThatKeepMovingPass() {
        assertDoesNotThrow(() -> result(-1, -1, 0, 56).assertFailover(Set.of(2000), EVENT, EVENT + 200 * MS));
    }

    @Test
    void aBystanderWithoutBytesFor100msFailsAndTheMessageShowsTheSamplesAroundIt() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> result(60, 0, 7 * MS, 56).assertFailover(Set.of(2000), EVENT, EVENT + 200 * MS));
        String m = e.getMessage();
        assertTrue(m.contains("flow 1000 (not on the dead path) stalled in the 100 ms before +1.0 s"), m);
        assertTrue(m.contains("in flight") && m.contains("test JVM held up 7.0 ms"), m);
    }

    @Test
    void anIntervalWithoutBytesIsNoStallWhenNothingWasInFlightAtItsStart() {
        // the sender wrote late into an empty pipe (its thread not scheduled): not the tunnel's doing
        assertDoesNotThrow(() -> result(60, 0, 7 * MS, 56, true).assertFailover(Set.of(2000), EVENT, EVENT + 200 * MS));
    }

    @Test
    void aFlowOfTheDeadPathThatResumesLaterThan1sFails() {
        AssertionError e = assertThrows(AssertionError.class,
                () -> result(-1, -1, 0, 70).assertFailover(Set.of(2000), EVENT, EVENT + 200 * MS));
        assertTrue(e.getMessage().contains("flow 2000 (on the dead path) resumed 1.80 s after the withdrawal"), e.getMessage());
    }
}
