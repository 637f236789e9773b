package dev.braid.instance.offload;

import static dev.braid.instance.offload.PacketBytes.IPV4_CHECKSUM;
import static dev.braid.instance.offload.PacketBytes.IPV4_FLAGS_FRAGMENT;
import static dev.braid.instance.offload.PacketBytes.IPV4_ID;
import static dev.braid.instance.offload.PacketBytes.IPV4_MF_AND_OFFSET;
import static dev.braid.instance.offload.PacketBytes.IPV4_MIN_HEADER;
import static dev.braid.instance.offload.PacketBytes.IPV4_TOTAL_LENGTH;
import static dev.braid.instance.offload.PacketBytes.IPV6_HEADER;
import static dev.braid.instance.offload.PacketBytes.IPV6_PAYLOAD_LENGTH;
import static dev.braid.instance.offload.PacketBytes.TCP_CHECKSUM;
import static dev.braid.instance.offload.PacketBytes.TCP_CWR;
import static dev.braid.instance.offload.PacketBytes.TCP_FIN;
import static dev.braid.instance.offload.PacketBytes.TCP_FLAGS;
import static dev.braid.instance.offload.PacketBytes.TCP_MIN_HEADER;
import static dev.braid.instance.offload.PacketBytes.TCP_PSH;
import static dev.braid.instance.offload.PacketBytes.TCP_SEQ;
import static dev.braid.instance.offload.PacketBytes.UDP_CHECKSUM;
import static dev.braid.instance.offload.PacketBytes.UDP_HEADER;
import static dev.braid.instance.offload.PacketBytes.UDP_LENGTH;

import java.nio.ByteBuffer;

/**
 * The send side of TUN offloads: turns one read from a TUN opened with {@code IFF_VNET_HDR} and
 * TSO (a virtio_net_hdr, then an IP packet of up to 64 KB) into the MSS-sized packets a peer expects,
 * each written at a caller-chosen offset of a caller-owned byte[] so the worker can encrypt it in
 * place (16 bytes of headroom for the WireGuard header).
 *
 * <p>Flow: {@link #begin} checks the header against the packet and returns how many segments the
 * read makes (or a negative {@link OffloadDropReason} code); {@link #next} / {@link #drainTo} then
 * write them one by one. A GSO_NONE read is one segment: the packet itself, its checksum finished
 * when the kernel left it partial (NEEDS_CSUM). A TCPV4/TCPV6 read is cut at gso_size: every segment
 * gets the IP and TCP headers (IPv4 total length, identification + index, header checksum; IPv6
 * payload length; TCP sequence number advanced by the payload before it; FIN and PSH only on the last
 * segment, CWR only on the first) and a full TCP checksum. A UDP_L4 read (when the TUN has USO) is
 * cut the same way with the UDP length and checksum per datagram.
 *
 * <p>The kernel's hdr_len is not trusted: it is the skb's linear length, which for a forwarded
 * GRO packet can be just the IP header or the whole first segment. The header length comes from
 * the packet itself (IPv4 IHL or 40, plus TCP data offset or 8), and csum_start must agree with it.
 *
 * <p>Allocation-free; one instance per worker thread, not thread-safe.
 */
public final class TcpSegmenter {
    /**
     * A read buffer that holds any read: the header plus the largest packet a TUN hands out (its
     * gso_max_size, 65536 bytes; TUN devices do not take BIG TCP's larger sizes).
     */
    public static final int READ_BUFFER_BYTES = VirtioNetHeader.LENGTH + 65536;

    private static final int KIND_NONE = 0;
    private static final int KIND_TCP = 1;
    private static final int KIND_UDP = 2;
    private static final int MAX_HEADERS = 60 + 60;

    private final int maxSegmentBytes;
    private final VirtioNetHeader header = new VirtioNetHeader();
    /** The read's IP and transport headers, the template every segment starts from. */
    private final byte[] template = new byte[MAX_HEADERS];

    private ByteBuffer in;
    private int packetAt;
    private int packetLength;
    private int kind;
    private boolean ipv6;
    private int ipHeaderLength;
    private int headersLength;
    private int payloadLength;
    private int gsoSize;
    private int checksumAt;
    private int segmentCount;
    private int segmentIndex;

    private long readsSegmented;
    private long gsoReads;
    private long segmentsWritten;

    /** @param maxSegmentBytes the largest IP packet a segment may be (the tunnel MTU) */
    public TcpSegmenter(int maxSegmentBytes) {
        if (maxSegmentBytes < IPV6_HEADER + TCP_MIN_HEADER + 1 || maxSegmentBytes > PacketBytes.MAX_IP_PACKET) {
            throw new IllegalArgumentException("maxSegmentBytes " + maxSegmentBytes + " must be 61..65535");
        }
        this.maxSegmentBytes = maxSegmentBytes;
    }

    /**
     * Takes the read in {@code in[offset, offset+length)} (virtio_net_hdr first; absolute indexes, the
     * buffer's position and limit are ignored; heap or direct). Returns the number of segments it
     * makes (at least 1), or a negative {@link OffloadDropReason} code and no segments. The buffer must
     * stay unchanged until the last segment is written.
     */
    public int begin(ByteBuffer in, int offset, int length) {
        segmentCount = 0;
        segmentIndex = 0;
        if (length <= VirtioNetHeader.LENGTH || offset < 0 || length > in.capacity() - offset) {
            return OffloadDropReason.TRUNCATED.code();
        }
        this.in = in;
        header.wrap(in, offset);
        packetAt = offset + VirtioNetHeader.LENGTH;
        packetLength = length - VirtioNetHeader.LENGTH;
        int gsoType = header.gsoType();
        if (gsoType == VirtioNetHeader.GSO_NONE) {
            return beginSingle();
        }
        int protocol;
        if (gsoType == VirtioNetHeader.GSO_TCPV4 || gsoType == VirtioNetHeader.GSO_TCPV6) {
            protocol = Checksums.PROTOCOL_TCP;
        } else if (gsoType == VirtioNetHeader.GSO_UDP_L4 && !header.ecn()) {
            protocol = Checksums.PROTOCOL_UDP;
        } else {
            return OffloadDropReason.UNSUPPORTED_GSO_TYPE.code();
        }
        int checked = checkIpHeader(gsoType, protocol);
        if (checked < 0) {
            return checked;
        }
        int transportAt = packetAt + ipHeaderLength;
        int transportLength;
        if (protocol == Checksums.PROTOCOL_TCP) {
            if (packetLength < ipHeaderLength + TCP_MIN_HEADER) {
                return OffloadDropReason.TRUNCATED.code();
            }
            transportLength = ((in.get(transportAt + PacketBytes.TCP_DATA_OFFSET) & 0xf0) >>> 4) * 4;
            if (transportLength < TCP_MIN_HEADER) {
                return OffloadDropReason.BAD_TCP_HEADER.code();
            }
            if (packetLength < ipHeaderLength + transportLength) {
                return OffloadDropReason.TRUNCATED.code();
            }
        } else {
            transportLength = UDP_HEADER;
            if (packetLength < ipHeaderLength + transportLength) {
                return OffloadDropReason.TRUNCATED.code();
            }
        }
        if (header.needsChecksum() && (header.csumStart() != ipHeaderLength || header.csumOffset()
                != (protocol == Checksums.PROTOCOL_TCP ? VirtioNetHeader.TCP_CSUM_OFFSET : VirtioNetHeader.UDP_CSUM_OFFSET))) {
            return OffloadDropReason.BAD_CHECKSUM_OFFSETS.code();
        }
        if (header.hdrLen() > packetLength) {
            return OffloadDropReason.BAD_HDR_LEN.code();
        }
        headersLength = ipHeaderLength + transportLength;
        payloadLength = packetLength - headersLength;
        gsoSize = header.gsoSize();
        if (gsoSize == 0 || payloadLength == 0) {
            return OffloadDropReason.BAD_GSO_SIZE.code();
        }
        if (headersLength + Math.min(gsoSize, payloadLength) > maxSegmentBytes) {
            return OffloadDropReason.SEGMENT_TOO_BIG.code();
        }
        in.get(packetAt, template, 0, headersLength);
        kind = protocol == Checksums.PROTOCOL_TCP ? KIND_TCP : KIND_UDP;
        segmentCount = (payloadLength + gsoSize - 1) / gsoSize;
        readsSegmented++;
        gsoReads++;
        return segmentCount;
    }

    private int beginSingle() {
        if (packetLength > maxSegmentBytes) {
            return OffloadDropReason.SEGMENT_TOO_BIG.code();
        }
        checksumAt = -1;
        if (header.needsChecksum()) {
            int start = header.csumStart();
            int field = start + header.csumOffset();
            if (field + 2 > packetLength) {
                return OffloadDropReason.BAD_CHECKSUM_OFFSETS.code();
            }
            ipHeaderLength = start;
            checksumAt = field;
        }
        kind = KIND_NONE;
        segmentCount = 1;
        readsSegmented++;
        return 1;
    }

    /** Sets ipv6 and ipHeaderLength, or returns a negative reason. */
    private int checkIpHeader(int gsoType, int protocol) {
        if (packetLength < IPV4_MIN_HEADER) {
            return OffloadDropReason.TRUNCATED.code();
        }
        int first = in.get(packetAt) & 0xff;
        int version = first >>> 4;
        int actualProtocol;
        if (version == 4) {
            ipv6 = false;
            ipHeaderLength = (first & 0x0f) * 4;
            if (ipHeaderLength < IPV4_MIN_HEADER) {
                return OffloadDropReason.IP_LENGTH_MISMATCH.code();
            }
            if (packetLength < ipHeaderLength) {
                return OffloadDropReason.TRUNCATED.code();
            }
            if (u16(packetAt + IPV4_TOTAL_LENGTH) != packetLength) {
                return OffloadDropReason.IP_LENGTH_MISMATCH.code();
            }
            if ((u16(packetAt + IPV4_FLAGS_FRAGMENT) & IPV4_MF_AND_OFFSET) != 0) {
                return OffloadDropReason.IP_FRAGMENT.code();
            }
            if (gsoType == VirtioNetHeader.GSO_TCPV6) {
                return OffloadDropReason.GSO_PROTOCOL_MISMATCH.code();
            }
            actualProtocol = in.get(packetAt + PacketBytes.IPV4_PROTOCOL) & 0xff;
        } else if (version == 6) {
            ipv6 = true;
            ipHeaderLength = IPV6_HEADER;
            if (packetLength < IPV6_HEADER) {
                return OffloadDropReason.TRUNCATED.code();
            }
            if (u16(packetAt + IPV6_PAYLOAD_LENGTH) + IPV6_HEADER != packetLength) {
                return OffloadDropReason.IP_LENGTH_MISMATCH.code();
            }
            if (gsoType == VirtioNetHeader.GSO_TCPV4) {
                return OffloadDropReason.GSO_PROTOCOL_MISMATCH.code();
            }
            // an extension header shows up here as a next header that is not the transport
            actualProtocol = in.get(packetAt + PacketBytes.IPV6_NEXT_HEADER) & 0xff;
        } else {
            return OffloadDropReason.NOT_IP.code();
        }
        return actualProtocol == protocol ? 0 : OffloadDropReason.GSO_PROTOCOL_MISMATCH.code();
    }

    private int u16(int index) {
        return (in.get(index) & 0xff) << 8 | (in.get(index + 1) & 0xff);
    }

    /** True while segments of the current read remain to be written. */
    public boolean hasNext() {
        return segmentIndex < segmentCount;
    }

    /** The number of segments the current read makes (0 after a refused read). */
    public int segmentCount() {
        return segmentCount;
    }

    /** The length of the next segment, or 0 when none is left. */
    public int nextLength() {
        if (segmentIndex >= segmentCount) {
            return 0;
        }
        if (kind == KIND_NONE) {
            return packetLength;
        }
        return headersLength + Math.min(gsoSize, payloadLength - segmentIndex * gsoSize);
    }

    /**
     * Writes the next segment to {@code out[outOffset, +length)} and returns its length.
     *
     * @throws IllegalArgumentException if the caller's buffer has less room than the segment needs
     *                                  (slots must hold maxSegmentBytes after their offset)
     * @throws IllegalStateException    if no segment is left
     */
    public int next(byte[] out, int outOffset) {
        if (segmentIndex >= segmentCount) {
            throw new IllegalStateException("no segment left: call begin() first and stop when hasNext() is false");
        }
        int length = nextLength();
        if (outOffset < 0 || out.length - outOffset < length) {
            throw new IllegalArgumentException("a " + length + "-byte segment does not fit at offset " + outOffset
                    + " of a " + out.length + "-byte slot");
        }
        if (kind == KIND_NONE) {
            writeSingle(out, outOffset);
        } else {
            writeSegment(out, outOffset, length);
        }
        segmentIndex++;
        segmentsWritten++;
        return length;
    }

    /**
     * Writes as many remaining segments as fit into {@code slots[firstSlot..]}, each at
     * {@code slotOffset}, its length in {@code lengths[slot]}; returns how many were written.
     */
    public int drainTo(byte[][] slots, int firstSlot, int slotOffset, int[] lengths) {
        int slot = firstSlot;
        while (segmentIndex < segmentCount && slot < slots.length) {
            lengths[slot] = next(slots[slot], slotOffset);
            slot++;
        }
        return slot - firstSlot;
    }

    /**
     * {@link #begin} and {@link #drainTo} in one call, for callers whose slots always hold a whole read:
     * returns the number of segments written to {@code slots[0..]}, or a negative reason code
     * ({@link OffloadDropReason#TOO_MANY_SEGMENTS} when they do not fit, nothing written).
     */
    public int segment(ByteBuffer in, int offset, int length, byte[][] slots, int slotOffset, int[] lengths) {
        int count = begin(in, offset, length);
        if (count < 0) {
            return count;
        }
        if (count > slots.length) {
            segmentCount = 0;
            return OffloadDropReason.TOO_MANY_SEGMENTS.code();
        }
        return drainTo(slots, 0, slotOffset, lengths);
    }

    private void writeSingle(byte[] out, int o) {
        in.get(packetAt, out, o, packetLength);
        if (checksumAt >= 0) {
            // the field holds the kernel's pseudo-header sum; summing over it completes the checksum.
            // A computed 0 goes out as all ones, as the kernel's skb_checksum_help does (it does not know
            // whether the field is UDP's, where 0 would mean "no checksum")
            int checksum = Checksums.checksum(out, o + ipHeaderLength, packetLength - ipHeaderLength, 0);
            PacketBytes.putU16(out, o + checksumAt, checksum == 0 ? 0xffff : checksum);
        }
    }

    private void writeSegment(byte[] out, int o, int length) {
        int index = segmentIndex;
        int payloadStart = index * gsoSize;
        System.arraycopy(template, 0, out, o, headersLength);
        in.get(packetAt + headersLength + payloadStart, out, o + headersLength, length - headersLength);
        if (ipv6) {
            PacketBytes.putU16(out, o + IPV6_PAYLOAD_LENGTH, length - IPV6_HEADER);
        } else {
            PacketBytes.putU16(out, o + IPV4_TOTAL_LENGTH, length);
            PacketBytes.putU16(out, o + IPV4_ID, PacketBytes.u16(template, IPV4_ID) + index);
            PacketBytes.putU16(out, o + IPV4_CHECKSUM, 0);
            PacketBytes.putU16(out, o + IPV4_CHECKSUM, Checksums.checksum(out, o, ipHeaderLength, 0));
        }
        int t = o + ipHeaderLength;
        int transportLength = length - ipHeaderLength;
        int checksumField;
        if (kind == KIND_TCP) {
            PacketBytes.putI32(out, t + TCP_SEQ, PacketBytes.i32(template, ipHeaderLength + TCP_SEQ) + payloadStart);
            int flags = template[ipHeaderLength + TCP_FLAGS] & 0xff;
            if (index != segmentCount - 1) {
                flags &= ~(TCP_FIN | TCP_PSH);
            }
            if (index != 0) {
                flags &= ~TCP_CWR;
            }
            out[t + TCP_FLAGS] = (byte) flags;
            checksumField = t + TCP_CHECKSUM;
        } else {
            PacketBytes.putU16(out, t + UDP_LENGTH, transportLength);
            checksumField = t + UDP_CHECKSUM;
        }
        PacketBytes.putU16(out, checksumField, 0);
        long pseudo = Checksums.pseudoHeader(out, o, kind == KIND_TCP ? Checksums.PROTOCOL_TCP : Checksums.PROTOCOL_UDP,
                transportLength);
        int checksum = Checksums.checksum(out, t, transportLength, pseudo);
        if (checksum == 0 && kind == KIND_UDP) {
            checksum = 0xffff; // RFC 768: a computed 0 is sent as all ones, 0 means "no checksum"
        }
        PacketBytes.putU16(out, checksumField, checksum);
    }

    /** Reads accepted by {@link #begin} (GSO or not). */
    public long readsSegmented() {
        return readsSegmented;
    }

    /** Accepted reads that were GSO super-packets. */
    public long gsoReads() {
        return gsoReads;
    }

    /** Segments written by {@link #next} since construction. */
    public long segmentsWritten() {
        return segmentsWritten;
    }
}
