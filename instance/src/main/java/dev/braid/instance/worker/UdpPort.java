package dev.braid.instance.worker;

import java.net.InetSocketAddress;

/**
 * Where a {@link PeerSession} sends datagrams: the worker's UDP socket on the loop (Netty), or an
 * in-memory wire in tests. Sends may be batched until {@link #flush}.
 */
public interface UdpPort {
    /** Queues {@code buf[offset, offset+length)} for {@code to}; the bytes are copied before returning. */
    void send(byte[] buf, int offset, int length, InetSocketAddress to);

    void flush();
}
