package dev.braid.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bytes handled by a benchmark, next to its operations. JMH reports the field per second in the
 * benchmark's time unit (as {@code <benchmark>:bytes}, labelled "ops/s" because it treats it as an
 * operation count): so that line is bytes/s. Which bytes a benchmark counts is said where it counts.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class ByteCounter {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
    }
}
