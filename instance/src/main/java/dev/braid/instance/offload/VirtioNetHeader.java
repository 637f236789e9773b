package dev.braid.instance.offload;

import java.nio.ByteBuffer;

/**
 * A flyweight over the 10-byte {@code struct virtio_net_hdr} (linux/virtio_net.h) that prefixes every
 * packet read from or written to a TUN opened with {@code IFF_VNET_HDR}. Fields are little-endian
 * (a TUN's default, and the only order on x86); they are read and written byte by byte, so the
 * buffer's own {@link java.nio.ByteOrder} does not matter. Point it at a header with {@link #wrap};
 * one instance is reused for every packet.
 *
 * <pre>
 * offset 0  u8  flags        NEEDS_CSUM: finish the checksum from csum_start, store at +csum_offset
 *        1  u8  gso_type     NONE, TCPV4, TCPV6, UDP_L4 (| ECN: the TCP flow uses ECN, CWR on the first segment)
 *        2  u16 hdr_len      a hint only: the kernel puts the skb's linear length here
 *        4  u16 gso_size     payload bytes per segment
 *        6  u16 csum_start   where checksumming starts (the transport header, so also the IP header length)
 *        8  u16 csum_offset  where the checksum field is, from csum_start (16 for TCP, 6 for UDP)
 * </pre>
 */
public final class VirtioNetHeader {
    public static final int LENGTH = 10;

    public static final int FLAG_NEEDS_CSUM = 1;
    public static final int FLAG_DATA_VALID = 2;

    public static final int GSO_NONE = 0;
    public static final int GSO_TCPV4 = 1;
    /** UFO: the kernel never hands it to a TUN that did not ask for TUN_F_UFO (Braid does not). */
    public static final int GSO_UDP = 3;
    public static final int GSO_TCPV6 = 4;
    public static final int GSO_UDP_L4 = 5;
    public static final int GSO_ECN = 0x80;

    /** Where the checksum field sits in a TCP and a UDP header (csum_offset). */
    public static final int TCP_CSUM_OFFSET = 16;
    public static final int UDP_CSUM_OFFSET = 6;

    private ByteBuffer buffer;
    private int offset;

    /** Points this flyweight at the header at {@code buffer[offset, offset+10)}. */
    public VirtioNetHeader wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public int flags() {
        return buffer.get(offset) & 0xff;
    }

    /** The GSO type including the ECN bit. */
    public int gsoTypeWithEcn() {
        return buffer.get(offset + 1) & 0xff;
    }

    /** The GSO type without the ECN bit. */
    public int gsoType() {
        return gsoTypeWithEcn() & ~GSO_ECN;
    }

    public boolean ecn() {
        return (gsoTypeWithEcn() & GSO_ECN) != 0;
    }

    public boolean needsChecksum() {
        return (flags() & FLAG_NEEDS_CSUM) != 0;
    }

    public int hdrLen() {
        return u16(2);
    }

    public int gsoSize() {
        return u16(4);
    }

    public int csumStart() {
        return u16(6);
    }

    public int csumOffset() {
        return u16(8);
    }

    /** Writes all five fields. */
    public VirtioNetHeader set(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        buffer.put(offset, (byte) flags);
        buffer.put(offset + 1, (byte) gsoType);
        putU16(2, hdrLen);
        putU16(4, gsoSize);
        putU16(6, csumStart);
        putU16(8, csumOffset);
        return this;
    }

    /** An all-zero header: GSO_NONE, no checksum work for the kernel beyond its usual verification. */
    public VirtioNetHeader setNone() {
        return set(0, GSO_NONE, 0, 0, 0, 0);
    }

    private int u16(int at) {
        return (buffer.get(offset + at) & 0xff) | (buffer.get(offset + at + 1) & 0xff) << 8;
    }

    private void putU16(int at, int value) {
        buffer.put(offset + at, (byte) value);
        buffer.put(offset + at + 1, (byte) (value >>> 8));
    }

    @Override
    public String toString() {
        return "virtio_net_hdr{flags=" + flags() + ", gso_type=" + gsoTypeWithEcn() + ", hdr_len=" + hdrLen()
                + ", gso_size=" + gsoSize() + ", csum_start=" + csumStart() + ", csum_offset=" + csumOffset() + "}";
    }
}
