package dev.braid.instance.offload;

import static dev.braid.instance.offload.TestPackets.ACK;
import static dev.braid.instance.offload.TestPackets.FIN;
import static dev.braid.instance.offload.TestPackets.PSH;
import static dev.braid.instance.offload.TestPackets.SYN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import dev.braid.instance.offload.TestPackets.Spec;

/**
 * The coalescer checked from outside: what it hands the sink is parsed here by hand and compared with
 * the input — headers the kernel needs (NEEDS_CSUM, gso type and size, the pseudo-header sum computed
 * independently, lengths, a valid IPv4 header checksum), payloads in sequence order, everything that
 * must not be joined passed through unchanged and in order — and segmenting its output gives back
 * the segments it was given.
 */
class TcpCoalescerTest {
    private static final int MTU = 1500;
    private final Random random = new Random(7);
    private final List<byte[]> written = new ArrayList<>();
    private final TunPacketSink collect = (buf, length) -> {
        byte[] copy = new byte[length];
        buf.get(0, copy);
        written.add(copy);
    };

    private TcpCoalescer coalescer(int maxPackets, int maxFlows) {
        return new TcpCoalescer(maxPackets, MTU, maxFlows, collect);
    }

    private static byte[] packetOf(byte[] write) {
        return Arrays.copyOfRange(write, 10, write.length);
    }

    private static VirtioNetHeader headerOf(byte[] write) {
        return new VirtioNetHeader().wrap(ByteBuffer.wrap(write), 0);
    }

    /** Segments of one flow, contiguous, each {@code size} bytes of payload (the last {@code lastSize}). */
    private List<byte[]> flow(Spec spec, int count, int size, int lastSize) {
        List<byte[]> packets = new ArrayList<>();
        int seq = spec.seq;
        for (int i = 0; i < count; i++) {
            int n = i == count - 1 ? lastSize : size;
            packets.add(spec.seq(seq).id(spec.id + i).build(TestPackets.randomBytes(random, n)));
            seq += n;
        }
        return packets;
    }

    private static byte[] payloadOf(byte[] packet) {
        boolean v6 = (packet[0] & 0xf0) == 0x60;
        int ip = v6 ? 40 : 20;
        int tcp = ((packet[ip + 12] & 0xf0) >>> 4) * 4;
        return Arrays.copyOfRange(packet, ip + tcp, packet.length);
    }

    /**
     * Checks a GSO write the way the kernel will use it, and returns what the kernel's segmentation
     * would finish: the packet with its checksum completed over the partial sum.
     */
    private static void assertSuperPacket(byte[] write, List<byte[]> segments) {
        byte[] first = segments.get(0);
        byte[] last = segments.get(segments.size() - 1);
        boolean v6 = (first[0] & 0xf0) == 0x60;
        int ip = v6 ? 40 : 20;
        int tcp = ((first[ip + 12] & 0xf0) >>> 4) * 4;
        VirtioNetHeader h = headerOf(write);
        byte[] packet = packetOf(write);
        assertEquals(VirtioNetHeader.FLAG_NEEDS_CSUM, h.flags());
        assertEquals(v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4, h.gsoTypeWithEcn());
        assertEquals(ip + tcp, h.hdrLen());
        assertEquals(payloadOf(first).length, h.gsoSize());
        assertEquals(ip, h.csumStart());
        assertEquals(16, h.csumOffset());
        // lengths and the IPv4 header checksum
        if (v6) {
            assertEquals(packet.length - 40, TestPackets.u16(packet, 4));
        } else {
            assertEquals(packet.length, TestPackets.u16(packet, 2));
            assertTrue(TestPackets.ipv4HeaderChecksumValid(packet), "IPv4 header checksum");
            assertEquals(TestPackets.u16(first, 4), TestPackets.u16(packet, 4), "the first segment's identification");
        }
        // headers are the first segment's except length/checksum fields and PSH from the last
        assertEquals(TestPackets.i32(first, ip + 4), TestPackets.i32(packet, ip + 4), "first sequence number");
        int expectedFlags = (first[ip + 13] & 0xff) | (last[ip + 13] & PSH);
        assertEquals(expectedFlags, packet[ip + 13] & 0xff, "flags");
        assertArrayEquals(Arrays.copyOfRange(first, ip + 14, ip + 16), Arrays.copyOfRange(packet, ip + 14, ip + 16));
        assertArrayEquals(Arrays.copyOfRange(first, ip + 20, ip + tcp), Arrays.copyOfRange(packet, ip + 20, ip + tcp));
        // the checksum field holds the pseudo-header sum, computed here from explicit pseudo-header bytes
        byte[] src = Arrays.copyOfRange(packet, v6 ? 8 : 12, v6 ? 24 : 16);
        byte[] dst = Arrays.copyOfRange(packet, v6 ? 24 : 16, v6 ? 40 : 20);
        assertEquals(TestPackets.slowPseudoSum(v6, src, dst, 6, packet.length - ip), TestPackets.u16(packet, ip + 16));
        // payloads in order
        byte[][] payloads = segments.stream().map(TcpCoalescerTest::payloadOf).toArray(byte[][]::new);
        assertArrayEquals(TestPackets.concat(payloads), Arrays.copyOfRange(packet, ip + tcp, packet.length));
        // the kernel completes CHECKSUM_PARTIAL by summing from csum_start over the partial sum and
        // complementing; the result must be the packet's correct checksum
        byte[] completed = packet.clone();
        int sum = ~TestPackets.slowChecksum(Arrays.copyOfRange(completed, ip, completed.length)) & 0xffff;
        TestPackets.put16(completed, ip + 16, ~sum & 0xffff);
        assertTrue(TestPackets.transportChecksumValid(completed), "completed checksum verifies");
    }

    @Test
    void joinsInOrderSegmentsOfOneFlow() {
        for (Spec spec : new Spec[] {Spec.ipv4(), Spec.ipv6()}) {
            written.clear();
            spec.tcpOptions = TestPackets.timestampOption(99, 100);
            TcpCoalescer c = coalescer(64, 16);
            int mss = MTU - spec.ipHeaderLength() - spec.transportHeaderLength();
            List<byte[]> segments = flow(spec, 10, mss, 300);
            for (int i = 0; i < segments.size(); i++) {
                byte[] s = segments.get(i);
                assertEquals(i == 0 ? TcpCoalescer.HELD : TcpCoalescer.COALESCED, c.offer(s, 0, s.length));
            }
            assertTrue(written.isEmpty(), "nothing is written before the flush");
            c.flush();
            assertEquals(1, written.size());
            assertSuperPacket(written.get(0), segments);
            assertEquals(1, c.superPacketWrites());
            assertEquals(10, c.segmentsInSuperPackets());
            assertEquals(9, c.packetsCoalesced());
        }
    }

    @Test
    void segmentingTheOutputGivesBackTheInput() {
        for (Spec spec : new Spec[] {Spec.ipv4(), Spec.ipv6()}) {
            written.clear();
            spec.tcpOptions = TestPackets.timestampOption(1, 2);
            spec.flags = ACK | PSH;
            byte[] payload = TestPackets.randomBytes(random, 30_000);
            int mss = MTU - spec.ipHeaderLength() - spec.transportHeaderLength();
            byte[] read = TestPackets.superPacketRead(spec, payload, mss);
            TcpSegmenter segmenter = new TcpSegmenter(MTU);
            byte[][] slots = new byte[64][16 + MTU];
            int[] lengths = new int[64];
            int n = segmenter.segment(ByteBuffer.wrap(read), 0, read.length, slots, 16, lengths);
            assertEquals((payload.length + mss - 1) / mss, n);
            TcpCoalescer c = coalescer(64, 16);
            for (int i = 0; i < n; i++) {
                c.offer(slots[i], 16, lengths[i]);
            }
            c.flush();
            assertEquals(1, written.size());
            byte[] again = written.get(0);
            byte[][] slots2 = new byte[64][16 + MTU];
            int[] lengths2 = new int[64];
            assertEquals(n, segmenter.segment(ByteBuffer.wrap(again), 0, again.length, slots2, 16, lengths2));
            for (int i = 0; i < n; i++) {
                assertArrayEquals(Arrays.copyOfRange(slots[i], 16, 16 + lengths[i]),
                        Arrays.copyOfRange(slots2[i], 16, 16 + lengths2[i]), "segment " + i);
            }
        }
    }

    @Test
    void pshEndsAnEntry() {
        TcpCoalescer c = coalescer(64, 16);
        List<byte[]> segments = flow(Spec.ipv4(), 5, 1000, 1000);
        // PSH on the second: the first two join (PSH last), the rest start a new entry
        byte[] second = segments.get(1);
        second[33] |= PSH;
        fixTcpChecksum(second);
        for (byte[] s : segments) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        assertEquals(2, written.size());
        assertSuperPacket(written.get(0), segments.subList(0, 2));
        assertTrue((packetOf(written.get(0))[33] & PSH) != 0);
        assertSuperPacket(written.get(1), segments.subList(2, 5));
        assertTrue((packetOf(written.get(1))[33] & PSH) == 0);
    }

    @Test
    void smallerSegmentEndsAnEntry() {
        TcpCoalescer c = coalescer(64, 16);
        Spec spec = Spec.ipv4();
        List<byte[]> all = new ArrayList<>(flow(spec, 3, 1448, 500));
        int nextSeq = spec.seq + 1448 * 2 + 500;
        all.addAll(flow(spec.seq(nextSeq), 2, 1448, 1448));
        for (byte[] s : all) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        assertEquals(2, written.size());
        assertSuperPacket(written.get(0), all.subList(0, 3));
        assertSuperPacket(written.get(1), all.subList(3, 5));
    }

    @Test
    void outOfOrderSegmentsArePutInFront() {
        TcpCoalescer c = coalescer(64, 16);
        List<byte[]> segments = flow(Spec.ipv6(), 4, 1200, 1200);
        for (int i : new int[] {1, 0, 2, 3}) {
            c.offer(segments.get(i), 0, segments.get(i).length);
        }
        c.flush();
        assertEquals(1, written.size());
        assertSuperPacket(written.get(0), segments);
        // a gap is not bridged
        written.clear();
        for (int i : new int[] {0, 2, 3}) {
            c.offer(segments.get(i), 0, segments.get(i).length);
        }
        c.flush();
        assertEquals(2, written.size());
        assertArrayEquals(segments.get(0), packetOf(written.get(0)));
        assertEquals(VirtioNetHeader.GSO_NONE, headerOf(written.get(0)).gsoType());
        assertSuperPacket(written.get(1), segments.subList(2, 4));
    }

    @Test
    void separateFlowsStayApartInArrivalOrder() {
        TcpCoalescer c = coalescer(64, 16);
        Spec a = Spec.ipv4();
        Spec b = Spec.ipv4();
        b.srcPort = 40001;
        Spec ackDiffers = Spec.ipv4();
        ackDiffers.ack = a.ack + 1;
        ackDiffers.seq = a.seq + 3 * 1000; // would continue a's bytes, but another ACK is another flow
        List<byte[]> fa = flow(a, 3, 1000, 1000);
        List<byte[]> fb = flow(b, 3, 1000, 1000);
        List<byte[]> fc = flow(ackDiffers, 2, 1000, 1000);
        for (int i = 0; i < 3; i++) {
            c.offer(fb.get(i), 0, fb.get(i).length);
            c.offer(fa.get(i), 0, fa.get(i).length);
        }
        for (byte[] s : fc) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        assertEquals(3, written.size());
        assertSuperPacket(written.get(0), fb);
        assertSuperPacket(written.get(1), fa);
        assertSuperPacket(written.get(2), fc);
    }

    @Test
    void differentHeaderFieldsAreNotJoined() {
        Spec base = Spec.ipv4();
        base.tcpOptions = TestPackets.timestampOption(1, 1);
        Spec[] variants = new Spec[6];
        for (int i = 0; i < variants.length; i++) {
            variants[i] = base.copy();
        }
        variants[0].window = base.window + 1;
        variants[1].tcpOptions = TestPackets.timestampOption(2, 1);
        variants[2].ttl = 63;
        variants[3].tos = 1;
        variants[4].dontFragment = false;
        variants[5].tcpOptions = new byte[0];
        for (Spec variant : variants) {
            written.clear();
            TcpCoalescer c = coalescer(64, 16);
            byte[] first = base.build(new byte[1000]);
            byte[] second = variant.seq(base.seq + 1000).build(new byte[1000]);
            c.offer(first, 0, first.length);
            c.offer(second, 0, second.length);
            c.flush();
            assertEquals(2, written.size());
            assertArrayEquals(first, packetOf(written.get(0)));
            assertArrayEquals(second, packetOf(written.get(1)));
        }
        Spec v6 = Spec.ipv6();
        Spec otherLabel = v6.copy();
        otherLabel.flowLabel = 7;
        written.clear();
        TcpCoalescer c = coalescer(64, 16);
        byte[] first = v6.build(new byte[1000]);
        byte[] second = otherLabel.seq(v6.seq + 1000).build(new byte[1000]);
        c.offer(first, 0, first.length);
        c.offer(second, 0, second.length);
        c.flush();
        assertEquals(2, written.size());
    }

    @Test
    void withoutDontFragmentIdentificationsMustCountUp() {
        Spec spec = Spec.ipv4();
        spec.dontFragment = false;
        TcpCoalescer c = coalescer(64, 16);
        List<byte[]> consecutive = flow(spec, 3, 1000, 1000);
        for (byte[] s : consecutive) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        assertEquals(1, written.size());
        assertSuperPacket(written.get(0), consecutive);
        // ids 0x1234, 0x1234 + 2: not joined; with DF set the same ids would be
        written.clear();
        byte[] first = spec.build(new byte[1000]);
        byte[] jump = spec.seq(spec.seq + 1000).id(spec.id + 2).build(new byte[1000]);
        c.offer(first, 0, first.length);
        c.offer(jump, 0, jump.length);
        c.flush();
        assertEquals(2, written.size());
        written.clear();
        spec.dontFragment = true;
        first = spec.build(new byte[1000]);
        jump = spec.seq(spec.seq + 1000).id(spec.id + 2).build(new byte[1000]);
        c.offer(first, 0, first.length);
        c.offer(jump, 0, jump.length);
        c.flush();
        assertEquals(1, written.size());
    }

    @Test
    void everythingElsePassesThroughUnchangedAndInOrder() {
        TcpCoalescer c = coalescer(64, 16);
        Spec tcp = Spec.ipv4();
        byte[] udp = Spec.ipv4().udp().build(TestPackets.randomBytes(random, 200));
        byte[] pureAck = tcp.build(new byte[0]);
        byte[] syn = tcp.flags(SYN).build(new byte[0]);
        byte[] fin = tcp.flags(ACK | FIN).build(new byte[100]);
        byte[] icmp = Spec.ipv4().build(new byte[56]);
        icmp[9] = 1;
        byte[] options = Spec.ipv4().build(new byte[100]);
        options[0] = 0x46; // an IPv4 header with options is not parsed for joining
        byte[] fragment = Spec.ipv4().build(new byte[100]);
        fragment[6] |= 0x20;
        byte[] v6ext = Spec.ipv6().build(new byte[100]);
        v6ext[6] = 0;
        byte[] notIp = TestPackets.randomBytes(random, 80);
        notIp[0] = 0x00;
        List<byte[]> data = flow(tcp.seq(50_000), 2, 1000, 1000);
        byte[][] order = {data.get(0), udp, pureAck, syn, fin, icmp, options, fragment, v6ext, notIp, data.get(1)};
        for (byte[] p : order) {
            c.offer(p, 0, p.length);
        }
        c.flush();
        // the data segments join at the first one's place; the rest keep their order and bytes
        assertEquals(order.length - 1, written.size());
        assertSuperPacket(written.get(0), data);
        for (int i = 1; i < order.length - 1; i++) {
            assertArrayEquals(order[i], packetOf(written.get(i)), "packet " + i);
            assertArrayEquals(new byte[10], Arrays.copyOf(written.get(i), 10), "GSO_NONE header on packet " + i);
        }
        assertEquals(TcpCoalescer.REFUSED, c.offer(new byte[0], 0, 0));
    }

    @Test
    void aSegmentWithABadChecksumGoesOutAlone() {
        TcpCoalescer c = coalescer(64, 16);
        List<byte[]> segments = flow(Spec.ipv4(), 4, 1000, 1000);
        segments.get(1)[100] ^= 1;
        for (byte[] s : segments) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        // 0 alone (nothing joined it), 1 alone and unchanged (the kernel will drop it), 2+3 joined
        assertEquals(3, written.size());
        assertArrayEquals(segments.get(0), packetOf(written.get(0)));
        assertArrayEquals(segments.get(1), packetOf(written.get(1)));
        assertSuperPacket(written.get(2), segments.subList(2, 4));
        assertEquals(1, c.checksumFailures());

        // a held first segment that turns out bad is never joined; the next one starts a new entry
        written.clear();
        List<byte[]> again = flow(Spec.ipv6(), 3, 1000, 1000);
        again.get(0)[100] ^= 1;
        for (byte[] s : again) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        assertEquals(2, written.size());
        assertArrayEquals(again.get(0), packetOf(written.get(0)));
        assertSuperPacket(written.get(1), again.subList(1, 3));
        assertEquals(2, c.checksumFailures());
    }

    @Test
    void superPacketsStayWithin64Kilobytes() {
        TcpCoalescer c = coalescer(64, 16);
        List<byte[]> segments = flow(Spec.ipv4(), 50, 1448, 1448);
        for (byte[] s : segments) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        // 20 + 20 + 45 * 1448 = 65200 fits; a 46th would make 66648
        assertEquals(2, written.size());
        assertSuperPacket(written.get(0), segments.subList(0, 45));
        assertSuperPacket(written.get(1), segments.subList(45, 50));
        assertTrue(written.get(0).length - 10 <= 65535);
    }

    @Test
    void flowsBeyondTheTablePassThrough() {
        TcpCoalescer c = coalescer(64, 2);
        List<List<byte[]>> flows = new ArrayList<>();
        for (int f = 0; f < 3; f++) {
            Spec s = Spec.ipv4();
            s.srcPort = 30000 + f;
            flows.add(flow(s, 2, 1000, 1000));
        }
        for (int i = 0; i < 2; i++) {
            for (List<byte[]> f : flows) {
                c.offer(f.get(i), 0, f.get(i).length);
            }
        }
        c.flush();
        assertEquals(4, written.size());
        assertSuperPacket(written.get(0), flows.get(0));
        assertSuperPacket(written.get(1), flows.get(1));
        assertArrayEquals(flows.get(2).get(0), packetOf(written.get(2)));
        assertArrayEquals(flows.get(2).get(1), packetOf(written.get(3)));
        assertEquals(2, c.flowTableFull());
        // the table is empty again after a flush
        written.clear();
        for (byte[] s : flows.get(2)) {
            c.offer(s, 0, s.length);
        }
        c.flush();
        assertEquals(1, written.size());
    }

    @Test
    void aFullArenaFlushesByItself() {
        TcpCoalescer c = coalescer(4, 16);
        List<byte[]> segments = flow(Spec.ipv4(), 6, 1000, 1000);
        for (byte[] s : segments) {
            c.offer(s, 0, s.length);
        }
        assertEquals(1, written.size(), "the fifth offer flushed the first four");
        c.flush();
        assertEquals(2, written.size());
        assertSuperPacket(written.get(0), segments.subList(0, 4));
        assertSuperPacket(written.get(1), segments.subList(4, 6));
        // a packet above maxPacketBytes is written at once, after what was held
        written.clear();
        TcpCoalescer small = new TcpCoalescer(8, 600, 4, collect);
        byte[] held = Spec.ipv4().build(new byte[100]);
        byte[] big = Spec.ipv4().udp().build(new byte[1000]);
        small.offer(held, 0, held.length);
        assertEquals(TcpCoalescer.PASSED_THROUGH, small.offer(big, 0, big.length));
        assertEquals(2, written.size());
        assertArrayEquals(held, packetOf(written.get(0)));
        assertArrayEquals(big, packetOf(written.get(1)));
    }

    @Test
    void manyRandomFlowsRoundTrip() {
        // random interleavings of several flows: every payload byte comes out once, in order per flow
        for (int round = 0; round < 200; round++) {
            written.clear();
            TcpCoalescer c = coalescer(32, 4);
            int flowCount = 1 + random.nextInt(6);
            List<List<byte[]>> flows = new ArrayList<>();
            for (int f = 0; f < flowCount; f++) {
                Spec s = random.nextBoolean() ? Spec.ipv4() : Spec.ipv6();
                s.srcPort = 1000 + f;
                s.seq = random.nextInt();
                flows.add(flow(s, 1 + random.nextInt(20), 100 + random.nextInt(1300), 1 + random.nextInt(1400)));
            }
            int[] nextOf = new int[flowCount];
            int remaining = flows.stream().mapToInt(List::size).sum();
            while (remaining > 0) {
                int f = random.nextInt(flowCount);
                if (nextOf[f] < flows.get(f).size()) {
                    byte[] s = flows.get(f).get(nextOf[f]++);
                    c.offer(s, 0, s.length);
                    remaining--;
                }
            }
            c.flush();
            TcpSegmenter segmenter = new TcpSegmenter(MTU);
            byte[][] slots = new byte[64][MTU];
            int[] lengths = new int[64];
            List<List<byte[]>> seen = new ArrayList<>();
            for (int f = 0; f < flowCount; f++) {
                seen.add(new ArrayList<>());
            }
            for (byte[] w : written) {
                int n = segmenter.segment(ByteBuffer.wrap(w), 0, w.length, slots, 0, lengths);
                assertTrue(n > 0, "the coalescer's output is valid segmenter input");
                for (int i = 0; i < n; i++) {
                    byte[] s = Arrays.copyOf(slots[i], lengths[i]);
                    boolean v6 = (s[0] & 0xf0) == 0x60;
                    seen.get(TestPackets.u16(s, v6 ? 40 : 20) - 1000).add(s);
                }
            }
            for (int f = 0; f < flowCount; f++) {
                assertEquals(flows.get(f).size(), seen.get(f).size());
                for (int i = 0; i < flows.get(f).size(); i++) {
                    assertArrayEquals(flows.get(f).get(i), seen.get(f).get(i), "round " + round + " flow " + f + " segment " + i);
                }
            }
        }
    }

    private static void fixTcpChecksum(byte[] packet) {
        boolean v6 = (packet[0] & 0xf0) == 0x60;
        int ip = v6 ? 40 : 20;
        TestPackets.put16(packet, ip + 16, 0);
        byte[] src = Arrays.copyOfRange(packet, v6 ? 8 : 12, v6 ? 24 : 16);
        byte[] dst = Arrays.copyOfRange(packet, v6 ? 24 : 16, v6 ? 40 : 20);
        byte[] transport = Arrays.copyOfRange(packet, ip, packet.length);
        TestPackets.put16(packet, ip + 16,
                TestPackets.slowChecksum(TestPackets.concat(TestPackets.pseudoHeader(v6, src, dst, 6, transport.length), transport)));
    }
}
