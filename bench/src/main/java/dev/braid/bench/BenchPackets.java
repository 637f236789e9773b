package dev.braid.bench;

import java.nio.ByteBuffer;

import dev.braid.instance.offload.Checksums;
import dev.braid.instance.offload.VirtioNetHeader;

/**
 * Builds the IPv4 TCP traffic the offload benchmarks feed in: what a Linux sender's TSO hands a TUN
 * (one read: virtio_net_hdr + one super-packet whose TCP checksum field holds only the pseudo-header
 * sum) and what arrives from the peer after decryption (MTU-sized segments with full checksums).
 * Headers are as Linux builds them for a bulk flow: IPv4 without options, DF set, TTL 64,
 * identification counting up; TCP without options (so 1380 payload bytes fill a 1420-byte MTU),
 * flags ACK (PSH on a super-packet, which the segmenter keeps for its last segment only).
 */
final class BenchPackets {
    static final int IPV4_HEADER_BYTES = 20;
    static final int TCP_HEADER_BYTES = 20;
    static final int HEADERS_BYTES = IPV4_HEADER_BYTES + TCP_HEADER_BYTES;
    static final int TCP_ACK = 0x10;
    static final int TCP_PSH = 0x08;

    /** One direction of a TCP connection: addresses and ports. */
    record Flow(byte[] source, byte[] destination, int sourcePort, int destinationPort) {
    }

    private BenchPackets() {
    }

    /**
     * A TSO read: virtio_net_hdr (NEEDS_CSUM, GSO_TCPV4, hdr_len 40, {@code gsoSizeBytes}, csum at
     * 20+16) and one IPv4 TCP packet carrying {@code payload}, in a direct buffer as the worker reads
     * the TUN into one. The buffer's limit is the read's length.
     */
    static ByteBuffer superPacketRead(Flow flow, int sequence, int identification, byte[] payload, int gsoSizeBytes) {
        byte[] packet = ipv4Tcp(flow, sequence, TCP_ACK | TCP_PSH, identification, payload, 0, payload.length, true);
        ByteBuffer read = ByteBuffer.allocateDirect(VirtioNetHeader.LENGTH + packet.length);
        new VirtioNetHeader().wrap(read, 0).set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4,
                HEADERS_BYTES, gsoSizeBytes, IPV4_HEADER_BYTES, VirtioNetHeader.TCP_CSUM_OFFSET);
        read.put(VirtioNetHeader.LENGTH, packet);
        read.limit(VirtioNetHeader.LENGTH + packet.length);
        return read;
    }

    /**
     * An IPv4 TCP packet with {@code payload[offset, +length)}: IPv4 header checksum always right;
     * the TCP checksum complete, or with {@code partialChecksum} only the pseudo-header sum (NEEDS_CSUM).
     */
    static byte[] ipv4Tcp(Flow flow, int sequence, int flags, int identification, byte[] payload, int offset, int length,
                          boolean partialChecksum) {
        int totalLength = HEADERS_BYTES + length;
        if (totalLength > 65535) {
            throw new IllegalArgumentException("an IPv4 packet holds at most 65535 bytes, not " + totalLength);
        }
        ByteBuffer b = ByteBuffer.allocate(totalLength);
        b.put((byte) 0x45).put((byte) 0).putShort((short) totalLength).putShort((short) identification)
                .putShort((short) 0x4000).put((byte) 64).put((byte) Checksums.PROTOCOL_TCP).putShort((short) 0)
                .put(flow.source()).put(flow.destination());
        b.putShort((short) flow.sourcePort()).putShort((short) flow.destinationPort()).putInt(sequence).putInt(0x1000_0001)
                .put((byte) ((TCP_HEADER_BYTES / 4) << 4)).put((byte) flags).putShort((short) 502)
                .putShort((short) 0).putShort((short) 0);
        b.put(payload, offset, length);
        byte[] packet = b.array();
        int ipChecksum = Checksums.checksum(packet, 0, IPV4_HEADER_BYTES, 0);
        packet[10] = (byte) (ipChecksum >>> 8);
        packet[11] = (byte) ipChecksum;
        long pseudo = Checksums.pseudoHeaderIpv4(packet, 0, Checksums.PROTOCOL_TCP, totalLength - IPV4_HEADER_BYTES);
        int tcpChecksum = partialChecksum
                ? Checksums.fold(pseudo)
                : Checksums.checksum(packet, IPV4_HEADER_BYTES, totalLength - IPV4_HEADER_BYTES, pseudo);
        packet[IPV4_HEADER_BYTES + 16] = (byte) (tcpChecksum >>> 8);
        packet[IPV4_HEADER_BYTES + 17] = (byte) tcpChecksum;
        return packet;
    }
}
