package dev.braid.instance.offload;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds IPv4/IPv6 TCP and UDP packets for the tests the slow, obvious way — field by field, with a
 * checksum that adds one 16-bit word at a time over an explicitly assembled pseudo-header — so the
 * production code is checked against something that shares none of its tricks.
 */
final class TestPackets {
    static final int TCP = 6;
    static final int UDP = 17;
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int ECE = 0x40;
    static final int CWR = 0x80;

    private TestPackets() {
    }

    /** RFC 1071 the textbook way: 16-bit words, end-around carry after every add, complement. */
    static int slowChecksum(byte[] data) {
        int sum = 0;
        for (int i = 0; i < data.length; i += 2) {
            int word = (data[i] & 0xff) << 8 | (i + 1 < data.length ? data[i + 1] & 0xff : 0);
            sum += word;
            if (sum > 0xffff) {
                sum = (sum & 0xffff) + 1;
            }
        }
        return ~sum & 0xffff;
    }

    /** The folded (not complemented) sum of the pseudo-header alone, built as bytes. */
    static int slowPseudoSum(boolean v6, byte[] src, byte[] dst, int protocol, int transportLength) {
        return ~slowChecksum(pseudoHeader(v6, src, dst, protocol, transportLength)) & 0xffff;
    }

    static byte[] pseudoHeader(boolean v6, byte[] src, byte[] dst, int protocol, int transportLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(src);
        b.writeBytes(dst);
        if (v6) {
            b.writeBytes(new byte[] {(byte) (transportLength >>> 24), (byte) (transportLength >>> 16),
                    (byte) (transportLength >>> 8), (byte) transportLength, 0, 0, 0, (byte) protocol});
        } else {
            b.writeBytes(new byte[] {0, (byte) protocol, (byte) (transportLength >>> 8), (byte) transportLength});
        }
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    static int i32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    static void put32(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** A TCP (or UDP) packet's header fields; {@link #build} makes the packet with correct checksums. */
    static final class Spec implements Cloneable {
        boolean v6;
        int protocol = TCP;
        byte[] src = {10, 0, 0, 1};
        byte[] dst = {10, 0, 0, 2};
        int srcPort = 40000;
        int dstPort = 5201;
        int seq = 1000;
        int ack = 77777;
        int flags = ACK;
        int window = 502;
        byte[] tcpOptions = new byte[0];
        int id = 0x1234;
        int ttl = 64;
        int tos = 0;
        boolean dontFragment = true;
        int flowLabel = 0x12345;
        /** Where the virtio header would put the transport checksum work: false = full checksum. */
        boolean partialChecksum;

        static Spec ipv4() {
            return new Spec();
        }

        static Spec ipv6() {
            Spec s = new Spec();
            s.v6 = true;
            s.src = new byte[] {(byte) 0xfd, 0x77, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
            s.dst = new byte[] {(byte) 0xfd, 0x77, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
            return s;
        }

        Spec copy() {
            try {
                return (Spec) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        Spec seq(int s) {
            Spec c = copy();
            c.seq = s;
            return c;
        }

        Spec flags(int f) {
            Spec c = copy();
            c.flags = f;
            return c;
        }

        Spec id(int i) {
            Spec c = copy();
            c.id = i;
            return c;
        }

        Spec udp() {
            Spec c = copy();
            c.protocol = UDP;
            return c;
        }

        int ipHeaderLength() {
            return v6 ? 40 : 20;
        }

        int transportHeaderLength() {
            return protocol == TCP ? 20 + tcpOptions.length : 8;
        }

        byte[] build(byte[] payload) {
            byte[] transport = transport(payload);
            byte[] ip = ipHeader(transport.length);
            return concat(ip, transport);
        }

        byte[] transport(byte[] payload) {
            int headerLength = transportHeaderLength();
            byte[] t = new byte[headerLength + payload.length];
            put16(t, 0, srcPort);
            put16(t, 2, dstPort);
            int checksumAt;
            if (protocol == TCP) {
                if (tcpOptions.length % 4 != 0) {
                    throw new IllegalArgumentException("TCP options must be a multiple of 4 bytes");
                }
                put32(t, 4, seq);
                put32(t, 8, ack);
                t[12] = (byte) ((headerLength / 4) << 4);
                t[13] = (byte) flags;
                put16(t, 14, window);
                System.arraycopy(tcpOptions, 0, t, 20, tcpOptions.length);
                checksumAt = 16;
            } else {
                put16(t, 4, t.length);
                checksumAt = 6;
            }
            System.arraycopy(payload, 0, t, headerLength, payload.length);
            int checksum;
            if (partialChecksum) {
                checksum = slowPseudoSum(v6, src, dst, protocol, t.length);
            } else {
                checksum = slowChecksum(concat(pseudoHeader(v6, src, dst, protocol, t.length), t));
                if (checksum == 0 && protocol == UDP) {
                    checksum = 0xffff;
                }
            }
            put16(t, checksumAt, checksum);
            return t;
        }

        byte[] ipHeader(int transportLength) {
            if (v6) {
                byte[] h = new byte[40];
                put32(h, 0, 6 << 28 | (tos & 0xff) << 20 | (flowLabel & 0xfffff));
                put16(h, 4, transportLength);
                h[6] = (byte) protocol;
                h[7] = (byte) ttl;
                System.arraycopy(src, 0, h, 8, 16);
                System.arraycopy(dst, 0, h, 24, 16);
                return h;
            }
            byte[] h = new byte[20];
            h[0] = 0x45;
            h[1] = (byte) tos;
            put16(h, 2, 20 + transportLength);
            put16(h, 4, id);
            put16(h, 6, dontFragment ? 0x4000 : 0);
            h[8] = (byte) ttl;
            h[9] = (byte) protocol;
            System.arraycopy(src, 0, h, 12, 4);
            System.arraycopy(dst, 0, h, 16, 4);
            put16(h, 10, slowChecksum(h));
            return h;
        }
    }

    /** A little-endian virtio_net_hdr, written without the production flyweight. */
    static byte[] vnet(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        byte[] h = new byte[10];
        h[0] = (byte) flags;
        h[1] = (byte) gsoType;
        int[] fields = {hdrLen, gsoSize, csumStart, csumOffset};
        for (int i = 0; i < 4; i++) {
            h[2 + 2 * i] = (byte) fields[i];
            h[3 + 2 * i] = (byte) (fields[i] >>> 8);
        }
        return h;
    }

    /**
     * What a TSO-enabled TUN hands the reader for {@code payload} sent with {@code spec}: the virtio
     * header (NEEDS_CSUM, gso type, hdr_len = headers, gso_size) and one packet with the whole payload,
     * its transport checksum field holding the pseudo-header sum as the kernel leaves it.
     */
    static byte[] superPacketRead(Spec spec, byte[] payload, int gsoSize) {
        Spec s = spec.copy();
        s.partialChecksum = true;
        byte[] packet = s.build(payload);
        int gsoType = s.protocol == UDP ? 5 : s.v6 ? 4 : 1;
        if ((s.flags & CWR) != 0 && s.protocol == TCP) {
            gsoType |= 0x80;
        }
        int headers = s.ipHeaderLength() + s.transportHeaderLength();
        return concat(vnet(1, gsoType, headers, gsoSize, s.ipHeaderLength(), s.protocol == TCP ? 16 : 6), packet);
    }

    /**
     * The segments a correct segmenter makes of {@link #superPacketRead}, each built from scratch: the
     * slow reference.
     */
    static byte[][] referenceSegments(Spec spec, byte[] payload, int gsoSize) {
        int count = (payload.length + gsoSize - 1) / gsoSize;
        byte[][] segments = new byte[count][];
        for (int i = 0; i < count; i++) {
            Spec s = spec.copy();
            s.partialChecksum = false;
            if (s.protocol == TCP) {
                s.seq = spec.seq + i * gsoSize;
                if (i != count - 1) {
                    s.flags &= ~(FIN | PSH);
                }
                if (i != 0) {
                    s.flags &= ~CWR;
                }
            }
            s.id = (spec.id + i) & 0xffff;
            byte[] chunk = Arrays.copyOfRange(payload, i * gsoSize, Math.min(payload.length, (i + 1) * gsoSize));
            segments[i] = s.build(chunk);
        }
        return segments;
    }

    static byte[] randomBytes(java.util.Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    static ByteBuffer wrap(byte[] b) {
        return ByteBuffer.wrap(b);
    }

    /** True if the IP packet's transport checksum is right, checked the slow way. */
    static boolean transportChecksumValid(byte[] packet) {
        boolean v6 = (packet[0] & 0xf0) == 0x60;
        int ipLength = v6 ? 40 : (packet[0] & 0x0f) * 4;
        int protocol = v6 ? packet[6] : packet[9];
        byte[] src = Arrays.copyOfRange(packet, v6 ? 8 : 12, v6 ? 24 : 16);
        byte[] dst = Arrays.copyOfRange(packet, v6 ? 24 : 16, v6 ? 40 : 20);
        byte[] transport = Arrays.copyOfRange(packet, ipLength, packet.length);
        return slowChecksum(concat(pseudoHeader(v6, src, dst, protocol, transport.length), transport)) == 0;
    }

    /** True if the IPv4 header checksum is right (always true for IPv6, which has none). */
    static boolean ipv4HeaderChecksumValid(byte[] packet) {
        if ((packet[0] & 0xf0) == 0x60) {
            return true;
        }
        return slowChecksum(Arrays.copyOfRange(packet, 0, (packet[0] & 0x0f) * 4)) == 0;
    }

    /** TCP timestamps option padded with two NOPs, as Linux sends it. */
    static byte[] timestampOption(int tsVal, int tsEcr) {
        byte[] o = new byte[12];
        o[0] = 1;
        o[1] = 1;
        o[2] = 8;
        o[3] = 10;
        put32(o, 4, tsVal);
        put32(o, 8, tsEcr);
        return o;
    }
}
