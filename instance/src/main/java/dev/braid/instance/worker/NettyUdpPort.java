package dev.braid.instance.worker;

import java.net.InetSocketAddress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;

/**
 * {@link UdpPort} over the worker's EpollDatagramChannel, with UDP GSO: consecutive datagrams to
 * the same endpoint and of the same size (a TCP flow's full-size segments, once encrypted, all are)
 * are packed back to back into one buffer and handed to the kernel as one segmented datagram
 * (UDP_SEGMENT), which splits them again below the socket — one trip through the UDP stack instead
 * of one per datagram. A shorter datagram may end a batch (the kernel allows a short last segment);
 * anything else starts a new one. Without kernel support every datagram goes on its own.
 */
final class NettyUdpPort implements UdpPort {
    /** The kernel's UDP_MAX_SEGMENTS. */
    static final int MAX_SEGMENTS = 64;
    static final int MAX_BATCH_BYTES = 65_000;

    private final Channel channel;
    private final boolean gso;
    private ByteBuf batch;
    private InetSocketAddress batchTarget;
    private int segmentSize;
    private int segments;
    private boolean pending;

    NettyUdpPort(Channel channel, boolean gso) {
        this.channel = channel;
        this.gso = gso;
    }

    @Override
    public void send(byte[] buf, int offset, int length, InetSocketAddress to) {
        if (!gso) {
            ByteBuf out = channel.alloc().directBuffer(length);
            out.writeBytes(buf, offset, length);
            channel.write(new DatagramPacket(out, to), channel.voidPromise());
            pending = true;
            return;
        }
        if (batch != null && (!to.equals(batchTarget) || length > segmentSize || segments == MAX_SEGMENTS
                || batch.readableBytes() + length > MAX_BATCH_BYTES)) {
            writeBatch();
        }
        if (batch == null) {
            batch = channel.alloc().directBuffer(Math.min(MAX_BATCH_BYTES, Math.max(length, 1) * MAX_SEGMENTS));
            batchTarget = to;
            segmentSize = length;
            segments = 0;
        }
        batch.writeBytes(buf, offset, length);
        segments++;
        if (length < segmentSize) {
            writeBatch(); // a short segment can only be the last one
        }
    }

    private void writeBatch() {
        if (segments == 1) {
            channel.write(new DatagramPacket(batch, batchTarget), channel.voidPromise());
        } else {
            channel.write(new SegmentedDatagramPacket(batch, segmentSize, batchTarget), channel.voidPromise());
        }
        batch = null;
        pending = true;
    }

    @Override
    public void flush() {
        if (batch != null) {
            writeBatch();
        }
        if (pending) {
            pending = false;
            channel.flush();
        }
    }
}
