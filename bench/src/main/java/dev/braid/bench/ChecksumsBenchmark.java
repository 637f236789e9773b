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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.braid.instance.offload.Checksums;

/**
 * The Internet checksum loop under the offload code, {@link Checksums#add}: over 1400 bytes (what
 * the segmenter sums for each full-MTU TCP segment it writes and the coalescer verifies for each
 * segment it joins) and over 65536 bytes (a whole super-packet's worth, the upper bound of one read).
 * {@link ByteCounter#bytes} counts the bytes summed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class ChecksumsBenchmark {
    @Param({"1400", "65536"})
    public int lengthBytes;

    byte[] data;

    @Setup(Level.Trial)
    public void setUp() {
        data = new byte[lengthBytes];
        new Random(lengthBytes).nextBytes(data);
    }

    /** One unfolded sum over the whole range; returns it so the JIT must compute it. */
    @Benchmark
    public long add(ByteCounter counter) {
        counter.bytes += lengthBytes;
        return Checksums.add(data, 0, lengthBytes, 0);
    }
}
