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

import dev.braid.instance.offload.TcpCoalescer;
import dev.braid.instance.offload.TunPacketSink;
import dev.braid.instance.protocol.TransportHeader;

/**
 * The receive side with TUN offloads: one receive batch of 128 decrypted packets — two bulk TCP
 * flows, 64 consecutive 1420-byte segments each, interleaved A, B, A, B as two senders' packets
 * arrive — offered to {@link TcpCoalescer} (sized as the worker's: 128 packets, MTU 1420, 64 flows)
 * and flushed. Each flow becomes a super-packet of 47 segments (the most that fit 65535 bytes) and
 * one of 17: four writes, which a sink counts and discards instead of writing the TUN. Every segment's
 * TCP checksum is verified before it joins, as in the worker. One operation is one batch;
 * {@link PacketCounter} counts its TCP payload bytes and packets.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class TcpCoalescerBenchmark {
    static final int MTU_BYTES = 1420;
    static final int BATCH_PACKETS = 128;
    static final int MAX_FLOWS = 64;
    static final int SEGMENT_PAYLOAD_BYTES = MTU_BYTES - BenchPackets.HEADERS_BYTES;

    /** Stands in for the TUN: counts what would be written. */
    static final class DiscardingSink implements TunPacketSink {
        long writes;
        long bytes;

        @Override
        public void write(ByteBuffer packet, int length) {
            writes++;
            bytes += length;
        }
    }

    TcpCoalescer coalescer;
    DiscardingSink sink;
    /** The batch as the worker holds it: each decrypted packet at offset 16 of its receive buffer. */
    byte[][] batch;
    int[] lengths;

    @Setup(Level.Trial)
    public void setUp() {
        BenchPackets.Flow[] flows = {
            new BenchPackets.Flow(new byte[] {10, 0, 55, 2}, new byte[] {10, 0, 55, 1}, 5201, 40000),
            new BenchPackets.Flow(new byte[] {10, 0, 55, 2}, new byte[] {10, 0, 55, 1}, 5201, 40001),
        };
        Random random = new Random(BATCH_PACKETS);
        byte[] payload = new byte[SEGMENT_PAYLOAD_BYTES];
        batch = new byte[BATCH_PACKETS][];
        lengths = new int[BATCH_PACKETS];
        for (int i = 0; i < BATCH_PACKETS; i++) {
            int flow = i % flows.length;
            int indexInFlow = i / flows.length;
            random.nextBytes(payload);
            byte[] packet = BenchPackets.ipv4Tcp(flows[flow], 1_000_000 * (flow + 1) + indexInFlow * SEGMENT_PAYLOAD_BYTES,
                    BenchPackets.TCP_ACK, 0x100 * (flow + 1) + indexInFlow, payload, 0, payload.length, false);
            batch[i] = new byte[TransportHeader.LENGTH + packet.length + 16];
            System.arraycopy(packet, 0, batch[i], TransportHeader.LENGTH, packet.length);
            lengths[i] = packet.length;
        }
        sink = new DiscardingSink();
        coalescer = new TcpCoalescer(BATCH_PACKETS, MTU_BYTES, MAX_FLOWS, sink);
    }

    /** One batch offered and flushed; returns the sink's running byte count. */
    @Benchmark
    public long coalesceBatch(PacketCounter counter) {
        for (int i = 0; i < BATCH_PACKETS; i++) {
            coalescer.offer(batch[i], TransportHeader.LENGTH, lengths[i]);
        }
        coalescer.flush();
        counter.bytes += (long) BATCH_PACKETS * SEGMENT_PAYLOAD_BYTES;
        counter.packets += BATCH_PACKETS;
        return sink.bytes;
    }
}
