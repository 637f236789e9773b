package dev.braid.instance.offload;

import static dev.braid.instance.offload.TestPackets.ACK;
import static dev.braid.instance.offload.TestPackets.CWR;
import static dev.braid.instance.offload.TestPackets.ECE;
import static dev.braid.instance.offload.TestPackets.FIN;
import static dev.braid.instance.offload.TestPackets.PSH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.braid.instance.offload.TestPackets.Spec;

/**
 * Segmentation against segments built from scratch by {@link TestPackets}: byte for byte, at the
 * caller's offset, for IPv4 and IPv6 TCP, UDP_L4 and GSO_NONE; and every malformed read refused
 * with its reason, never an exception.
 */
class TcpSegmenterTest {
    private static final int MTU = 1500;
    private static final int HEADROOM = 16;
    private final Random random = new Random(42);
    private final TcpSegmenter segmenter = new TcpSegmenter(MTU);
    private final byte[][] slots = new byte[64][HEADROOM + MTU + 32];
    private final int[] lengths = new int[64];

    private byte[][] segment(byte[] read) {
        for (byte[] slot : slots) {
            Arrays.fill(slot, (byte) 0xA5);
        }
        int n = segmenter.segment(ByteBuffer.wrap(read), 0, read.length, slots, HEADROOM, lengths);
        if (n < 0) {
            throw new AssertionError("refused: " + OffloadDropReason.ofCode(n));
        }
        byte[][] out = new byte[n][];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < HEADROOM; j++) {
                assertEquals((byte) 0xA5, slots[i][j], "headroom left alone");
            }
            out[i] = Arrays.copyOfRange(slots[i], HEADROOM, HEADROOM + lengths[i]);
        }
        return out;
    }

    private void assertSegmentsMatchReference(Spec spec, byte[] payload, int gsoSize) {
        byte[][] actual = segment(TestPackets.superPacketRead(spec, payload, gsoSize));
        byte[][] expected = TestPackets.referenceSegments(spec, payload, gsoSize);
        assertEquals(expected.length, actual.length, "segment count");
        for (int i = 0; i < expected.length; i++) {
            assertArrayEquals(expected[i], actual[i], "segment " + i);
            assertTrue(TestPackets.transportChecksumValid(actual[i]), "checksum of segment " + i);
            assertTrue(TestPackets.ipv4HeaderChecksumValid(actual[i]), "IP header checksum of segment " + i);
        }
    }

    @Test
    void ipv4TcpSuperPacketBecomesReferenceSegments() {
        Spec spec = Spec.ipv4();
        spec.tcpOptions = TestPackets.timestampOption(123456, 654321);
        spec.flags = ACK | PSH;
        assertSegmentsMatchReference(spec, TestPackets.randomBytes(random, 10_000), 1448);
        // exact multiple of gso_size, and a single segment
        assertSegmentsMatchReference(spec, TestPackets.randomBytes(random, 1448 * 4), 1448);
        assertSegmentsMatchReference(spec, TestPackets.randomBytes(random, 700), 1448);
    }

    @Test
    void ipv6TcpSuperPacketBecomesReferenceSegments() {
        Spec spec = Spec.ipv6();
        spec.tcpOptions = TestPackets.timestampOption(1, 2);
        assertSegmentsMatchReference(spec, TestPackets.randomBytes(random, 65_000), 1428);
    }

    @Test
    void flagsSequenceAndIdentification() {
        Spec spec = Spec.ipv4();
        spec.flags = ACK | PSH | FIN | CWR | ECE;
        spec.seq = 0xffff_f000; // wraps inside the super-packet
        spec.id = 0xfffe;       // wraps too
        byte[] payload = TestPackets.randomBytes(random, 1000 * 5 + 1);
        byte[][] segments = segment(TestPackets.superPacketRead(spec, payload, 1000));
        assertEquals(6, segments.length);
        for (int i = 0; i < segments.length; i++) {
            byte[] s = segments[i];
            int flags = s[20 + 13] & 0xff;
            assertEquals(i == 0, (flags & CWR) != 0, "CWR only on the first, segment " + i);
            assertEquals(i == 5, (flags & FIN) != 0, "FIN only on the last, segment " + i);
            assertEquals(i == 5, (flags & PSH) != 0, "PSH only on the last, segment " + i);
            assertTrue((flags & ECE) != 0 && (flags & ACK) != 0, "ECE and ACK everywhere");
            assertEquals(0xffff_f000 + 1000 * i, TestPackets.i32(s, 24), "sequence number of segment " + i);
            assertEquals((0xfffe + i) & 0xffff, TestPackets.u16(s, 4), "IPv4 identification of segment " + i);
            assertEquals(s.length, TestPackets.u16(s, 2), "total length of segment " + i);
            assertTrue(TestPackets.transportChecksumValid(s) && TestPackets.ipv4HeaderChecksumValid(s));
        }
        assertEquals(20 + 20 + 1, segments[5].length);
        assertArrayEquals(TestPackets.referenceSegments(spec, payload, 1000)[5], segments[5]);
    }

    @Test
    void udpL4SuperPacketBecomesDatagrams() {
        for (Spec spec : new Spec[] {Spec.ipv4().udp(), Spec.ipv6().udp()}) {
            byte[] payload = TestPackets.randomBytes(random, 5000);
            byte[][] segments = segment(TestPackets.superPacketRead(spec, payload, 1200));
            byte[][] expected = TestPackets.referenceSegments(spec, payload, 1200);
            assertEquals(5, segments.length);
            for (int i = 0; i < segments.length; i++) {
                assertArrayEquals(expected[i], segments[i], "datagram " + i);
                assertEquals(segments[i].length - spec.ipHeaderLength(), TestPackets.u16(segments[i], spec.ipHeaderLength() + 4));
            }
        }
    }

    @Test
    void gsoNoneIsCopiedAndItsPartialChecksumFinished() {
        for (Spec spec : new Spec[] {Spec.ipv4(), Spec.ipv6(), Spec.ipv4().udp(), Spec.ipv6().udp()}) {
            byte[] payload = TestPackets.randomBytes(random, 333);
            byte[] complete = spec.build(payload);
            Spec partial = spec.copy();
            partial.partialChecksum = true;
            byte[] read = TestPackets.concat(TestPackets.vnet(1, 0, 0, 0, spec.ipHeaderLength(),
                    spec.protocol == TestPackets.TCP ? 16 : 6), partial.build(payload));
            byte[][] out = segment(read);
            assertEquals(1, out.length);
            assertArrayEquals(complete, out[0]);
            // without NEEDS_CSUM the packet goes out exactly as read
            byte[] plain = TestPackets.concat(new byte[10], partial.build(payload));
            assertArrayEquals(Arrays.copyOfRange(plain, 10, plain.length), segment(plain)[0]);
        }
    }

    @Test
    void hdrLenIsOnlyAHint() {
        Spec spec = Spec.ipv4();
        byte[] payload = TestPackets.randomBytes(random, 3000);
        byte[][] expected = TestPackets.referenceSegments(spec, payload, 1448);
        byte[] read = TestPackets.superPacketRead(spec, payload, 1448);
        // a forwarded GRO packet: hdr_len may be the IP header only, or the whole first segment
        for (int hdrLen : new int[] {0, 20, 40, 1488, read.length - 10}) {
            read[2] = (byte) hdrLen;
            read[3] = (byte) (hdrLen >>> 8);
            byte[][] actual = segment(read);
            assertEquals(expected.length, actual.length);
            for (int i = 0; i < expected.length; i++) {
                assertArrayEquals(expected[i], actual[i]);
            }
        }
    }

    @Test
    void streamsIntoFewSlotsAndFromADirectBufferAtAnOffset() {
        Spec spec = Spec.ipv6();
        byte[] payload = TestPackets.randomBytes(random, 20_000);
        byte[] read = TestPackets.superPacketRead(spec, payload, 1000);
        ByteBuffer direct = ByteBuffer.allocateDirect(read.length + 100);
        direct.put(37, read);
        byte[][] expected = TestPackets.referenceSegments(spec, payload, 1000);
        assertEquals(20, segmenter.begin(direct, 37, read.length));
        byte[][] three = new byte[3][HEADROOM + MTU];
        int[] threeLengths = new int[3];
        int produced = 0;
        while (segmenter.hasNext()) {
            int n = segmenter.drainTo(three, 0, HEADROOM, threeLengths);
            assertTrue(n >= 1 && n <= 3);
            for (int i = 0; i < n; i++) {
                assertArrayEquals(expected[produced + i], Arrays.copyOfRange(three[i], HEADROOM, HEADROOM + threeLengths[i]));
            }
            produced += n;
        }
        assertEquals(20, produced);
        assertEquals(0, segmenter.nextLength());
        assertThrows(IllegalStateException.class, () -> segmenter.next(three[0], 0));
        assertEquals(OffloadDropReason.TOO_MANY_SEGMENTS.code(),
                segmenter.segment(direct, 37, read.length, three, HEADROOM, threeLengths));
        assertFalse(segmenter.hasNext());
    }

    @Test
    void slotTooSmallIsTheCallersBug() {
        byte[] read = TestPackets.superPacketRead(Spec.ipv4(), TestPackets.randomBytes(random, 3000), 1448);
        segmenter.begin(ByteBuffer.wrap(read), 0, read.length);
        assertThrows(IllegalArgumentException.class, () -> segmenter.next(new byte[1000], 16));
    }

    // ------------------------------------------------------------------ refusals

    private int begin(byte[] read) {
        int result = segmenter.begin(ByteBuffer.wrap(read), 0, read.length);
        if (result < 0) {
            assertFalse(segmenter.hasNext(), "nothing to write after a refusal");
            assertEquals(0, segmenter.segmentCount());
        }
        return result;
    }

    private void assertRefused(OffloadDropReason reason, byte[] read) {
        int result = begin(read);
        assertTrue(result < 0, "expected " + reason + " but got " + result + " segments");
        assertEquals(reason, OffloadDropReason.ofCode(result));
    }

    private byte[] goodRead() {
        Spec spec = Spec.ipv4();
        spec.tcpOptions = TestPackets.timestampOption(5, 6);
        return TestPackets.superPacketRead(spec, TestPackets.randomBytes(random, 4000), 1448);
    }

    @Test
    void refusesShortAndOversizedReads() {
        assertRefused(OffloadDropReason.TRUNCATED, new byte[10]);
        assertRefused(OffloadDropReason.TRUNCATED, Arrays.copyOf(goodRead(), 10 + 19));
        byte[] good = goodRead();
        // a read that claims more bytes than the buffer has (the kernel cut it)
        assertEquals(OffloadDropReason.TRUNCATED.code(), segmenter.begin(ByteBuffer.wrap(good), 0, good.length + 1));
        assertEquals(OffloadDropReason.TRUNCATED.code(), segmenter.begin(ByteBuffer.wrap(good), 5, good.length));
        // IPv4 header complete, TCP header cut: total length made to match so only the TCP check trips
        byte[] cut = Arrays.copyOf(good, 10 + 20 + 10);
        TestPackets.put16(cut, 12, 30);
        assertRefused(OffloadDropReason.TRUNCATED, cut);
        // TCP options announced but missing
        byte[] noOptions = Arrays.copyOf(good, 10 + 20 + 24);
        TestPackets.put16(noOptions, 12, 44);
        assertRefused(OffloadDropReason.TRUNCATED, noOptions);
    }

    @Test
    void refusesBadIpHeaders() {
        byte[] notIp = goodRead();
        notIp[10] = 0x55;
        assertRefused(OffloadDropReason.NOT_IP, notIp);
        byte[] longer = goodRead();
        TestPackets.put16(longer, 12, TestPackets.u16(longer, 12) + 1);
        assertRefused(OffloadDropReason.IP_LENGTH_MISMATCH, longer);
        byte[] ihl = goodRead();
        ihl[10] = 0x44;
        assertRefused(OffloadDropReason.IP_LENGTH_MISMATCH, ihl);
        byte[] v6 = TestPackets.superPacketRead(Spec.ipv6(), TestPackets.randomBytes(random, 3000), 1400);
        TestPackets.put16(v6, 14, TestPackets.u16(v6, 14) - 1);
        assertRefused(OffloadDropReason.IP_LENGTH_MISMATCH, v6);
        byte[] fragment = goodRead();
        fragment[16] |= 0x20; // MF
        assertRefused(OffloadDropReason.IP_FRAGMENT, fragment);
        byte[] offset = goodRead();
        offset[17] = 1;
        assertRefused(OffloadDropReason.IP_FRAGMENT, offset);
    }

    @Test
    void refusesGsoTypesThatDoNotFit() {
        byte[] ufo = goodRead();
        ufo[1] = 3;
        assertRefused(OffloadDropReason.UNSUPPORTED_GSO_TYPE, ufo);
        byte[] unknown = goodRead();
        unknown[1] = 7;
        assertRefused(OffloadDropReason.UNSUPPORTED_GSO_TYPE, unknown);
        byte[] udpEcn = TestPackets.superPacketRead(Spec.ipv4().udp(), TestPackets.randomBytes(random, 3000), 1000);
        udpEcn[1] = (byte) 0x85;
        assertRefused(OffloadDropReason.UNSUPPORTED_GSO_TYPE, udpEcn);

        byte[] v6TypeOnV4 = goodRead();
        v6TypeOnV4[1] = 4;
        assertRefused(OffloadDropReason.GSO_PROTOCOL_MISMATCH, v6TypeOnV4);
        byte[] v4TypeOnV6 = TestPackets.superPacketRead(Spec.ipv6(), TestPackets.randomBytes(random, 3000), 1400);
        v4TypeOnV6[1] = 1;
        assertRefused(OffloadDropReason.GSO_PROTOCOL_MISMATCH, v4TypeOnV6);
        byte[] tcpTypeOnUdp = TestPackets.superPacketRead(Spec.ipv4().udp(), TestPackets.randomBytes(random, 3000), 1000);
        tcpTypeOnUdp[1] = 1;
        tcpTypeOnUdp[8] = 16;
        assertRefused(OffloadDropReason.GSO_PROTOCOL_MISMATCH, tcpTypeOnUdp);
        byte[] udpTypeOnTcp = goodRead();
        udpTypeOnTcp[1] = 5;
        assertRefused(OffloadDropReason.GSO_PROTOCOL_MISMATCH, udpTypeOnTcp);
        byte[] extensionHeader = TestPackets.superPacketRead(Spec.ipv6(), TestPackets.randomBytes(random, 3000), 1400);
        extensionHeader[10 + 6] = 0; // hop-by-hop options in front of TCP
        assertRefused(OffloadDropReason.GSO_PROTOCOL_MISMATCH, extensionHeader);
    }

    @Test
    void refusesBadChecksumOffsetsTcpHeaderHdrLenAndGsoSize() {
        byte[] start = goodRead();
        start[6] = 0;
        assertRefused(OffloadDropReason.BAD_CHECKSUM_OFFSETS, start);
        byte[] udpOffsetOnTcp = goodRead();
        udpOffsetOnTcp[8] = 6;
        assertRefused(OffloadDropReason.BAD_CHECKSUM_OFFSETS, udpOffsetOnTcp);
        byte[] single = TestPackets.concat(TestPackets.vnet(1, 0, 0, 0, 20, 16), Spec.ipv4().build(new byte[0]));
        assertEquals(1, begin(single));
        single[6] = 30; // csum_start 30 + offset 16 + 2 > 40
        assertRefused(OffloadDropReason.BAD_CHECKSUM_OFFSETS, single);

        byte[] dataOffset = goodRead();
        dataOffset[10 + 20 + 12] = 0x40;
        assertRefused(OffloadDropReason.BAD_TCP_HEADER, dataOffset);

        byte[] hdrLen = goodRead();
        int packetLength = hdrLen.length - 10;
        hdrLen[2] = (byte) (packetLength + 1); // little-endian u16
        hdrLen[3] = (byte) ((packetLength + 1) >>> 8);
        assertRefused(OffloadDropReason.BAD_HDR_LEN, hdrLen);

        byte[] zeroGso = goodRead();
        zeroGso[4] = 0;
        zeroGso[5] = 0;
        assertRefused(OffloadDropReason.BAD_GSO_SIZE, zeroGso);
        assertRefused(OffloadDropReason.BAD_GSO_SIZE, TestPackets.superPacketRead(Spec.ipv4(), new byte[0], 1448));
    }

    @Test
    void refusesSegmentsAboveTheMtu() {
        assertRefused(OffloadDropReason.SEGMENT_TOO_BIG,
                TestPackets.superPacketRead(Spec.ipv4(), TestPackets.randomBytes(random, 5000), 1461));
        assertEquals(4, begin(TestPackets.superPacketRead(Spec.ipv4(), TestPackets.randomBytes(random, 5000), 1460)));
        byte[] big = TestPackets.concat(new byte[10], Spec.ipv4().build(new byte[1461]));
        assertRefused(OffloadDropReason.SEGMENT_TOO_BIG, big);
    }

    @Test
    void randomGarbageNeverThrows() {
        byte[][] big = new byte[70][HEADROOM + MTU];
        int[] bigLengths = new int[70];
        byte[] good = goodRead();
        int accepted = 0;
        for (int round = 0; round < 50_000; round++) {
            byte[] read;
            if (round % 2 == 0) {
                read = TestPackets.randomBytes(random, random.nextInt(200));
            } else {
                // a good read with a few bytes of header or IP/TCP header damaged
                read = good.clone();
                for (int k = 0; k < 1 + random.nextInt(3); k++) {
                    read[random.nextInt(10 + 60)] = (byte) random.nextInt();
                }
                read = Arrays.copyOf(read, Math.max(1, read.length - random.nextInt(5) * random.nextInt(200)));
            }
            int n = segmenter.segment(ByteBuffer.wrap(read), 0, read.length, big, HEADROOM, bigLengths);
            if (n > 0) {
                accepted++;
                for (int i = 0; i < n; i++) {
                    assertTrue(bigLengths[i] <= MTU);
                }
            } else {
                OffloadDropReason.ofCode(n);
            }
        }
        assertTrue(accepted > 0, "some damaged reads are still well-formed");
    }
}
