package dev.braid.instance.offload;

import java.util.Locale;

/**
 * Why {@link TcpSegmenter} refused a packet read from the TUN. The hot path returns {@link #code()}
 * (negative) instead of throwing, and the worker counts each reason on its own, as it does for
 * {@link dev.braid.instance.protocol.DropReason}. Codes are stable: new reasons are appended.
 * None of these should ever be seen with a correct kernel; each is a check that keeps a bad
 * header from making the segmenter read or write outside the packet.
 */
public enum OffloadDropReason {
    /** Shorter than the virtio header plus an IP header, a transport header runs past the end, or the
     *  read is longer than the buffer it was read into (the kernel cut it). */
    TRUNCATED(-1),
    /** A GSO packet whose IP version is neither 4 nor 6. */
    NOT_IP(-2),
    /** The IPv4 total length or IPv6 payload length does not match the bytes read. */
    IP_LENGTH_MISMATCH(-3),
    /** A GSO packet that is an IPv4 fragment (MF set or a fragment offset). */
    IP_FRAGMENT(-4),
    /** gso_type is UFO or unknown. */
    UNSUPPORTED_GSO_TYPE(-5),
    /** gso_type does not fit the packet: TCPV4 on IPv6 or the other way round, a TCP type on a non-TCP
     *  packet, UDP_L4 on non-UDP, or an IPv6 extension header in front of the transport header. */
    GSO_PROTOCOL_MISMATCH(-6),
    /** csum_start/csum_offset point outside the packet, or (for GSO) not at the transport checksum. */
    BAD_CHECKSUM_OFFSETS(-7),
    /** A TCP data offset below 5 words. */
    BAD_TCP_HEADER(-8),
    /** hdr_len is larger than the packet. */
    BAD_HDR_LEN(-9),
    /** gso_size is 0, or a GSO packet carries no payload. */
    BAD_GSO_SIZE(-10),
    /** A segment (or a GSO_NONE packet) would be larger than the segmenter's maxSegmentBytes (the MTU). */
    SEGMENT_TOO_BIG(-11),
    /** More segments than the caller's slots ({@link TcpSegmenter#segment} only; use begin/next to stream). */
    TOO_MANY_SEGMENTS(-12);

    private static final OffloadDropReason[] BY_CODE = values();

    private final int code;
    private final String label;

    OffloadDropReason(int code) {
        this.code = code;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    /** The negative value the hot-path methods return for this reason. */
    public int code() {
        return code;
    }

    /** The Prometheus label value, e.g. {@code ip_length_mismatch}. */
    public String label() {
        return label;
    }

    /** The reason for a negative code returned by a hot-path method. */
    public static OffloadDropReason ofCode(int code) {
        int index = -code - 1;
        if (index < 0 || index >= BY_CODE.length) {
            throw new IllegalArgumentException("not an offload drop-reason code: " + code);
        }
        return BY_CODE[index];
    }
}
