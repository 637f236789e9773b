package dev.braid.instance.offload;

import java.nio.ByteBuffer;

/**
 * Where {@link TcpCoalescer} puts what is ready for the TUN: {@code packet[0, length)} is a
 * virtio_net_hdr followed by one IP packet (a GSO super-packet or a single one). The buffer is
 * direct and reused for the next packet as soon as this returns, so write it now
 * (e.g. {@code tun.fd().write(packet, 0, length)}) and count failures here: the coalescer does not
 * know about errors.
 */
@FunctionalInterface
public interface TunPacketSink {
    void write(ByteBuffer packet, int length);
}
