package dev.braid.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * TCP payload bytes and packets (segments) handled by an offload benchmark whose operation is a
 * whole super-packet or batch. Reported per second like {@link ByteCounter} (labelled "ops/s"):
 * {@code :bytes} is payload bytes/s, {@code :packets} is MTU-sized packets/s.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class PacketCounter {
    public long bytes;
    public long packets;

    @Setup(Level.Iteration)
    public void reset() {
        bytes = 0;
        packets = 0;
    }
}
