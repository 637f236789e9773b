package dev.braid.bench;

import java.nio.ByteBuffer;
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

import dev.braid.instance.offload.TcpSegmenter;
import dev.braid.instance.protocol.TransportHeader;

/**
 * The send side with TUN offloads: one read from the TUN — a TSO super-packet of 47 × 1380 payload
 * bytes (64,900 bytes of IPv4, the most whole segments under the 64 KB limit; virtio_net_hdr
 * NEEDS_CSUM, GSO_TCPV4, gso_size 1380) — cut by {@link TcpSegmenter} into 47 packets of 1420 bytes
 * (Braid's MTU), each with its headers rewritten and its IPv4 and TCP checksums computed, written at
 * offset 16 of its own slot as the worker leaves headroom for the WireGuard header. One operation is
 * one whole read; {@link PacketCounter} counts its TCP payload bytes and segments.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class TcpSegmenterBenchmark {
    static final int MTU_BYTES = 1420;
    static final int GSO_SIZE_BYTES = MTU_BYTES - BenchPackets.HEADERS_BYTES;
    static final int SEGMENTS = 47;
    static final int PAYLOAD_BYTES = SEGMENTS * GSO_SIZE_BYTES;
    static final int SLOT_BYTES = TransportHeader.LENGTH + MTU_BYTES + 16;

    TcpSegmenter segmenter;
    ByteBuffer read;
    int readLength;
    byte[][] slots;
    int[] lengths;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] payload = new byte[PAYLOAD_BYTES];
        new Random(PAYLOAD_BYTES).nextBytes(payload);
        BenchPackets.Flow flow = new BenchPackets.Flow(new byte[] {10, 0, 55, 1}, new byte[] {10, 0, 55, 2}, 40000, 5201);
        read = BenchPackets.superPacketRead(flow, 0x1234_5678, 0x4321, payload, GSO_SIZE_BYTES);
        readLength = read.limit();
        segmenter = new TcpSegmenter(MTU_BYTES);
        slots = new byte[64][SLOT_BYTES];
        lengths = new int[slots.length];
    }

    /** One super-packet into 47 segments; returns the number written. */
    @Benchmark
    public int segment(PacketCounter counter) {
        counter.bytes += PAYLOAD_BYTES;
        counter.packets += SEGMENTS;
        return segmenter.segment(read, 0, readLength, slots, TransportHeader.LENGTH, lengths);
    }
}
