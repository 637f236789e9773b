package dev.braid.instance.worker;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;

/**
 * {@link UdpPort} over the worker's EpollDatagramChannel: each datagram is copied into a pooled
 * direct buffer and written without a promise; {@link #flush} hands the batch to the kernel
 * (sendmmsg when several are queued).
 */
final class NettyUdpPort implements UdpPort {
    private final Channel channel;
    private boolean pending;

    NettyUdpPort(Channel channel) {
        this.channel = channel;
    }

    @Override
    public void send(byte[] buf, int offset, int length, InetSocketAddress to) {
        ByteBuf out = channel.alloc().directBuffer(length);
        out.writeBytes(buf, offset, length);
        channel.write(new DatagramPacket(out, to), channel.voidPromise());
        pending = true;
    }

    @Override
    public void flush() {
        if (pending) {
            pending = false;
            channel.flush();
        }
    }
}
