package dev.braid.instance.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The fast checksum against the word-at-a-time reference, known values, pseudo-headers and RFC 1624 updates. */
class ChecksumsTest {
    private final Random random = new Random(0xC0FFEE);

    @Test
    void matchesTheSlowReferenceForEveryLengthAndOffset() {
        byte[] buf = TestPackets.randomBytes(random, 300);
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length <= 200; length++) {
                int expected = TestPackets.slowChecksum(Arrays.copyOfRange(buf, offset, offset + length));
                assertEquals(expected, Checksums.checksum(buf, offset, length, 0), "offset " + offset + " length " + length);
            }
        }
    }

    @Test
    void matchesTheSlowReferenceOnLargeAndExtremeBuffers() {
        for (int round = 0; round < 50; round++) {
            int length = random.nextInt(65536);
            byte[] buf = TestPackets.randomBytes(random, length + 7);
            int offset = random.nextInt(8);
            assertEquals(TestPackets.slowChecksum(Arrays.copyOfRange(buf, offset, offset + length)),
                    Checksums.checksum(buf, offset, length, 0));
        }
        // all ones is where carries pile up the most
        byte[] ones = new byte[65535];
        Arrays.fill(ones, (byte) 0xff);
        assertEquals(TestPackets.slowChecksum(ones), Checksums.checksum(ones, 0, ones.length, 0));
        assertEquals(0xffff, Checksums.checksum(new byte[64], 0, 64, 0), "zeros sum to 0, complemented");
    }

    @Test
    void knownValues() {
        // RFC 1071 §3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2
        byte[] rfc = HexFormat.of().parseHex("0001f203f4f5f6f7");
        assertEquals(0xddf2, Checksums.fold(Checksums.add(rfc, 0, rfc.length, 0)));
        assertEquals(0x220d, Checksums.checksum(rfc, 0, rfc.length, 0));
        // a real IPv4 header (UDP, 192.168.0.1 -> 192.168.0.199) whose checksum field is b861
        byte[] ip = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, Checksums.checksum(ip, 0, ip.length, 0));
        ip[10] = (byte) 0xb8;
        ip[11] = 0x61;
        assertTrue(Checksums.verifies(ip, 0, ip.length, 0));
        ip[15] ^= 1;
        assertFalse(Checksums.verifies(ip, 0, ip.length, 0));
    }

    @Test
    void continuingASumAcrossRangesEqualsOneRange() {
        byte[] buf = TestPackets.randomBytes(random, 1000);
        long whole = Checksums.add(buf, 0, 1000, 0);
        long parts = Checksums.add(buf, 0, 2, 0);
        parts = Checksums.add(buf, 2, 98, parts);
        parts = Checksums.add(buf, 100, 900, parts);
        assertEquals(Checksums.fold(whole), Checksums.fold(parts));
    }

    @Test
    void pseudoHeadersMatchExplicitPseudoHeaderBytes() {
        for (boolean v6 : new boolean[] {false, true}) {
            for (int round = 0; round < 200; round++) {
                TestPackets.Spec spec = v6 ? TestPackets.Spec.ipv6() : TestPackets.Spec.ipv4();
                random.nextBytes(spec.src);
                random.nextBytes(spec.dst);
                spec.protocol = random.nextBoolean() ? TestPackets.TCP : TestPackets.UDP;
                byte[] packet = spec.build(TestPackets.randomBytes(random, random.nextInt(3000)));
                int ipLength = spec.ipHeaderLength();
                int transportLength = packet.length - ipLength;
                long pseudo = v6 ? Checksums.pseudoHeaderIpv6(packet, 0, spec.protocol, transportLength)
                        : Checksums.pseudoHeaderIpv4(packet, 0, spec.protocol, transportLength);
                assertEquals(TestPackets.slowPseudoSum(v6, spec.src, spec.dst, spec.protocol, transportLength),
                        Checksums.fold(pseudo));
                assertEquals(Checksums.fold(pseudo),
                        Checksums.fold(Checksums.pseudoHeader(packet, 0, spec.protocol, transportLength)));
                assertTrue(Checksums.verifies(packet, ipLength, transportLength, pseudo), "built packets verify");
                packet[packet.length - 1] ^= 0x10;
                assertFalse(Checksums.verifies(packet, ipLength, transportLength, pseudo), "a flipped bit fails");
            }
        }
    }

    @Test
    void incrementalUpdatesEqualRecomputing() {
        for (int round = 0; round < 2000; round++) {
            byte[] buf = TestPackets.randomBytes(random, 40);
            TestPackets.put16(buf, 10, 0);
            int checksum = TestPackets.slowChecksum(buf);
            TestPackets.put16(buf, 10, checksum);
            // a 16-bit field
            int old16 = TestPackets.u16(buf, 2);
            int new16 = random.nextInt(0x10000);
            TestPackets.put16(buf, 2, new16);
            int updated = Checksums.update16(checksum, old16, new16);
            TestPackets.put16(buf, 10, updated);
            assertEquals(0, TestPackets.slowChecksum(buf), "update16 keeps the header valid");
            // a 32-bit field at an even offset (like a TCP sequence number)
            int old32 = TestPackets.i32(buf, 4);
            int new32 = random.nextInt();
            TestPackets.put32(buf, 4, new32);
            updated = Checksums.update32(updated, old32, new32);
            TestPackets.put16(buf, 10, updated);
            assertEquals(0, TestPackets.slowChecksum(buf), "update32 keeps the header valid");
        }
    }

    @Test
    void incrementalUpdateKeepsABadChecksumBad() {
        byte[] ip = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        TestPackets.put16(ip, 10, 0xb862); // off by one
        TestPackets.put16(ip, 2, 0x0100);
        TestPackets.put16(ip, 10, Checksums.update16(0xb862, 0x0073, 0x0100));
        assertFalse(Checksums.verifies(ip, 0, 20, 0));
    }

    @Test
    void printsThroughput() {
        byte[] buf = TestPackets.randomBytes(random, 1 << 16);
        long sink = 0;
        for (int i = 0; i < 2000; i++) {
            sink += Checksums.add(buf, 0, buf.length, 0);
        }
        int rounds = 20_000;
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            sink += Checksums.add(buf, i & 7, buf.length - 8, 0);
        }
        long nanos = System.nanoTime() - start;
        System.out.printf("[checksum] %.1f GB/s over 64 KB buffers (%d)%n", (double) rounds * (buf.length - 8) / nanos, sink & 1);
    }
}
