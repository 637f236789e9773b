package dev.braid.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.braid.instance.protocol.ReplayWindow;

/**
 * {@link ReplayWindow#validate}, which the receive path calls once per authentic packet, under the
 * three patterns it meets: counters in order (one flow over one path, the common case), counters
 * reordered within the window (several paths or receive queues: each run of {@value #REORDER_SPAN}
 * consecutive counters arrives shuffled), and duplicates (a replay or a retransmitted datagram: every
 * counter has been seen and is refused).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class ReplayWindowBenchmark {
    static final int REORDER_SPAN = 64;
    /** Counters per lap of the reordered pattern; each lap is shifted up by this much, so none repeats. */
    static final int REORDER_PATTERN = 1 << 16;
    /** Duplicates cycle over this many counters, all inside the window behind the greatest seen. */
    static final int DUPLICATE_SPAN = 4096;

    @State(Scope.Thread)
    public static class InOrder {
        final ReplayWindow window = new ReplayWindow();
        long nextCounter;
    }

    @State(Scope.Thread)
    public static class Reordered {
        final ReplayWindow window = new ReplayWindow();
        final int[] offsets = new int[REORDER_PATTERN];
        long lapBase;
        int index;

        @Setup(Level.Trial)
        public void setUp() {
            Random random = new Random(REORDER_SPAN);
            for (int i = 0; i < REORDER_PATTERN; i++) {
                offsets[i] = i;
            }
            for (int run = 0; run < REORDER_PATTERN; run += REORDER_SPAN) {
                for (int i = REORDER_SPAN - 1; i > 0; i--) {
                    int j = random.nextInt(i + 1);
                    int t = offsets[run + i];
                    offsets[run + i] = offsets[run + j];
                    offsets[run + j] = t;
                }
            }
        }
    }

    @State(Scope.Thread)
    public static class Duplicates {
        final ReplayWindow window = new ReplayWindow();
        /** The greatest counter seen; everything from 0 up to it has been seen. */
        final long greatest = 2L * DUPLICATE_SPAN - 1;
        int index;

        @Setup(Level.Trial)
        public void setUp() {
            for (long counter = 0; counter <= greatest; counter++) {
                window.validate(counter);
            }
        }
    }

    /** Accepted: the next counter each time. */
    @Benchmark
    public boolean inOrder(InOrder state) {
        return state.window.validate(state.nextCounter++);
    }

    /** Accepted: counters shuffled within runs of 64, each once. */
    @Benchmark
    public boolean reordered(Reordered state) {
        long counter = state.lapBase + state.offsets[state.index];
        if (++state.index == REORDER_PATTERN) {
            state.index = 0;
            state.lapBase += REORDER_PATTERN;
        }
        return state.window.validate(counter);
    }

    /** Refused: counters already seen, up to 4095 behind the greatest. */
    @Benchmark
    public boolean duplicates(Duplicates state) {
        long counter = state.greatest - state.index;
        state.index = (state.index + 1) & (DUPLICATE_SPAN - 1);
        return state.window.validate(counter);
    }
}
