package dev.braid.instance.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.braid.instance.offload.TestPackets.Spec;

/**
 * The hot path allocates nothing: segmenting super-packets (IPv4 and IPv6) and coalescing the segments
 * again, round after round, counted with the thread's allocated-bytes counter after a warm-up. Not a
 * timing test.
 */
class OffloadAllocationTest {
    @Test
    void segmentAndCoalesceAllocateNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!threads.isThreadAllocatedMemorySupported()) {
            System.out.println("[allocation] thread allocation counting unsupported on this JVM; skipped");
            return;
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        Random random = new Random(1);
        ByteBuffer[] reads = new ByteBuffer[2];
        int[] readLengths = new int[2];
        Spec[] specs = {Spec.ipv4(), Spec.ipv6()};
        for (int i = 0; i < 2; i++) {
            specs[i].tcpOptions = TestPackets.timestampOption(1, 2);
            int mss = 1500 - specs[i].ipHeaderLength() - specs[i].transportHeaderLength();
            byte[] read = TestPackets.superPacketRead(specs[i], TestPackets.randomBytes(random, 60_000), mss);
            reads[i] = ByteBuffer.allocateDirect(read.length);
            reads[i].put(0, read);
            readLengths[i] = read.length;
        }
        TcpSegmenter segmenter = new TcpSegmenter(1500);
        long[] sinkBytes = new long[1];
        TcpCoalescer coalescer = new TcpCoalescer(64, 1500, 64, (buf, length) -> sinkBytes[0] += length);
        byte[][] slots = new byte[64][16 + 1500 + 32];
        int[] lengths = new int[64];
        long segments = 0;
        long allocated = 0;
        for (int round = 0; round < 30_000; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            int i = round & 1;
            int n = segmenter.segment(reads[i], 0, readLengths[i], slots, 16, lengths);
            for (int k = 0; k < n; k++) {
                coalescer.offer(slots[k], 16, lengths[k]);
            }
            coalescer.flush();
            long after = threads.getCurrentThreadAllocatedBytes();
            if (round >= 20_000) {
                allocated += after - before;
                segments += n;
            }
        }
        System.out.printf("[allocation] segment + coalesce: %d bytes over %d segments (%d bytes to the sink)%n",
                allocated, segments, sinkBytes[0]);
        assertEquals(0, allocated, "bytes allocated on the hot path");
    }
}
