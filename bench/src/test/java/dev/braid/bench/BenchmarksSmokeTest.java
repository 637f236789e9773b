package dev.braid.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.braid.instance.offload.Checksums;
import dev.braid.instance.protocol.DropReason;
import dev.braid.instance.protocol.TransportCipher;

/**
 * Sets up every benchmark state the way JMH would and calls every benchmark method, checking that
 * each one does the work it claims to measure (an open that fails, a segmenter that refuses the read
 * or a coalescer that joins nothing would make the figures meaningless). Runs in the normal build;
 * the benchmarks themselves never do. No timing here.
 */
class BenchmarksSmokeTest {

    @ParameterizedTest
    @CsvSource({"64,jdk-intrinsics", "512,jdk-intrinsics", "1420,jdk-intrinsics", "64,jdk-cipher", "1420,jdk-cipher"})
    void transportCipherSealsAndOpensAcrossTheRingsWrap(int payloadBytes, String aead) {
        TransportCipherBenchmark benchmark = new TransportCipherBenchmark();
        benchmark.payloadBytes = payloadBytes;
        benchmark.aead = aead;
        benchmark.setUp();
        ByteCounter counter = new ByteCounter();
        counter.reset();

        assertEquals(TransportCipher.sealedLength(payloadBytes, TransportCipherBenchmark.MTU_BYTES), benchmark.seal(counter));
        // more than one lap: the replay window reset must keep every open accepted
        for (int i = 0; i < TransportCipherBenchmark.RING_MESSAGES + 3; i++) {
            int opened = benchmark.open(counter);
            assertEquals(payloadBytes, opened, () -> "open gave " + (opened < 0 ? DropReason.ofCode(opened) : opened));
        }
        assertEquals((long) payloadBytes * (TransportCipherBenchmark.RING_MESSAGES + 4), counter.bytes);
        assertEquals(benchmark.openBuffer, benchmark.openInputCopy());
    }

    @Test
    void replayWindowPatternsAcceptOrRefuseAsIntended() {
        ReplayWindowBenchmark benchmark = new ReplayWindowBenchmark();
        ReplayWindowBenchmark.InOrder inOrder = new ReplayWindowBenchmark.InOrder();
        ReplayWindowBenchmark.Reordered reordered = new ReplayWindowBenchmark.Reordered();
        reordered.setUp();
        ReplayWindowBenchmark.Duplicates duplicates = new ReplayWindowBenchmark.Duplicates();
        duplicates.setUp();

        for (int i = 0; i < 10_000; i++) {
            assertTrue(benchmark.inOrder(inOrder), "in-order counter " + i);
            assertFalse(benchmark.duplicates(duplicates), "duplicate " + i);
        }
        int outOfOrder = 0;
        long previous = -1;
        for (int i = 0; i < ReplayWindowBenchmark.REORDER_PATTERN + 1000; i++) {
            long counter = reordered.lapBase + reordered.offsets[reordered.index];
            if (counter < previous) {
                outOfOrder++;
            }
            previous = counter;
            assertTrue(benchmark.reordered(reordered), "reordered counter " + counter + " at step " + i);
        }
        assertTrue(outOfOrder > ReplayWindowBenchmark.REORDER_PATTERN / 4, "the pattern is hardly reordered: " + outOfOrder);
    }

    @Test
    void segmenterCutsTheSuperPacketIntoMtuSegmentsWithValidChecksums() {
        TcpSegmenterBenchmark benchmark = new TcpSegmenterBenchmark();
        benchmark.setUp();
        PacketCounter counter = new PacketCounter();
        for (int round = 0; round < 2; round++) {
            assertEquals(TcpSegmenterBenchmark.SEGMENTS, benchmark.segment(counter));
        }
        int headroom = 16;
        for (int i = 0; i < TcpSegmenterBenchmark.SEGMENTS; i++) {
            byte[] segment = benchmark.slots[i];
            assertEquals(TcpSegmenterBenchmark.MTU_BYTES, benchmark.lengths[i], "segment " + i);
            assertTrue(Checksums.verifies(segment, headroom, 20, 0), "IPv4 header checksum of segment " + i);
            long pseudo = Checksums.pseudoHeaderIpv4(segment, headroom, Checksums.PROTOCOL_TCP, benchmark.lengths[i] - 20);
            assertTrue(Checksums.verifies(segment, headroom + 20, benchmark.lengths[i] - 20, pseudo), "TCP checksum of segment " + i);
        }
        assertEquals(2L * TcpSegmenterBenchmark.PAYLOAD_BYTES, counter.bytes);
        assertEquals(64_900, TcpSegmenterBenchmark.PAYLOAD_BYTES + 40);
    }

    @Test
    void coalescerJoinsEachFlowIntoTwoSuperPackets() {
        TcpCoalescerBenchmark benchmark = new TcpCoalescerBenchmark();
        benchmark.setUp();
        PacketCounter counter = new PacketCounter();
        long written = benchmark.coalesceBatch(counter);

        assertEquals(4, benchmark.sink.writes, "two flows of 64 segments: 47 + 17 each");
        assertEquals(0, benchmark.coalescer.checksumFailures());
        assertEquals(TcpCoalescerBenchmark.BATCH_PACKETS, benchmark.coalescer.segmentsInSuperPackets());
        // four virtio headers, four sets of IPv4+TCP headers, and every payload byte once
        assertEquals(4 * (10 + 40) + 128L * TcpCoalescerBenchmark.SEGMENT_PAYLOAD_BYTES, written);
        assertEquals(2 * written, benchmark.coalesceBatch(counter), "a second batch behaves the same");
        assertEquals(8, benchmark.coalescer.superPacketWrites());
    }

    @ParameterizedTest
    @ValueSource(ints = {1400, 65536})
    void checksumSumsTheWholeRange(int lengthBytes) {
        ChecksumsBenchmark benchmark = new ChecksumsBenchmark();
        benchmark.lengthBytes = lengthBytes;
        benchmark.setUp();
        ByteCounter counter = new ByteCounter();
        long sum = benchmark.add(counter);
        long words = 0;
        for (int i = 0; i < lengthBytes; i += 2) {
            words += (benchmark.data[i] & 0xff) << 8 | (benchmark.data[i + 1] & 0xff);
        }
        assertEquals(Checksums.fold(words), Checksums.fold(sum));
        assertEquals(lengthBytes, counter.bytes);
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1420})
    void allThreeAeadsSealToTheSameCiphertext(int payloadBytes) throws Exception {
        AeadImplementationBenchmark jdk = new AeadImplementationBenchmark();
        AeadImplementationBenchmark bc = new AeadImplementationBenchmark();
        AeadImplementationBenchmark intrinsics = new AeadImplementationBenchmark();
        jdk.payloadBytes = payloadBytes;
        bc.payloadBytes = payloadBytes;
        intrinsics.payloadBytes = payloadBytes;
        jdk.setUp();
        bc.setUp();
        intrinsics.setUp();
        for (int i = 0; i < 3; i++) {
            assertEquals(payloadBytes + 16, jdk.jdkSeal());
            assertEquals(payloadBytes + 16, bc.bouncyCastleSeal());
            intrinsics.intrinsicsSeal();
            // same key, same nonces, same starting bytes: the three must be the same AEAD
            assertArrayEquals(jdk.buffer(), bc.buffer(), "seal " + i);
            assertArrayEquals(jdk.buffer(), intrinsics.buffer(), "seal " + i);
        }
    }
}
