package dev.braid.instance.worker;

import java.net.InetSocketAddress;
import java.util.BitSet;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.tun.TunDevice;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.IntegerUnixChannelOption;
import net.openhft.affinity.Affinity;

/**
 * The worker's one thread: a Netty single-thread IO event loop (EpollIoHandler) with two things on
 * it — the UDP socket (an EpollDatagramChannel, recvmmsg/sendmmsg underneath) and the TUN fd (an
 * EpollIoHandle). Data flows: TUN readable → {@link PeerSession#onTunPacket} (encrypt) → UDP write,
 * flushed once per batch; UDP read → {@link PeerSession#onDatagram} (decrypt) → TUN write. A timer
 * tick drives WireGuard's timers, the control ring and the supervisor heartbeat. When the socket's
 * send buffer backs up, the loop stops reading the TUN (the kernel queues or drops there, and TCP
 * adapts) rather than buffering without bound.
 */
public final class TunnelLoop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelLoop.class);

    /** TUN packets (segments, with offloads) handled per readiness event before the socket side runs. */
    static final int TUN_READ_BUDGET = 128;
    static final long TICK_MILLIS = 10;
    static final int SOCKET_BUFFER_BYTES = 8 << 20;
    static final long SOCKET_DROPS_EVERY_NANOS = 1_000_000_000L;
    /** SO_RCVBUFFORCE / SO_SNDBUFFORCE: past net.core.rmem_max/wmem_max (needs CAP_NET_ADMIN, which a worker has). */
    static final IntegerUnixChannelOption SO_RCVBUFFORCE = new IntegerUnixChannelOption("SO_RCVBUFFORCE", 1, 33);
    static final IntegerUnixChannelOption SO_SNDBUFFORCE = new IntegerUnixChannelOption("SO_SNDBUFFORCE", 1, 32);

    private final WorkerConfig config;
    private final TunDevice tun;
    private final CountersFile counters;
    private final PeerSession session;
    private final IoEventLoopGroup group;
    private final IoEventLoop loop;
    private EpollDatagramChannel udp;
    private IoRegistration tunRegistration;
    private boolean tunReadPaused;
    private long socketDropsReadNanos;
    private final int parentPid;
    private final SpinThenBlockStrategy spin;

    public TunnelLoop(WorkerConfig config, TunDevice tun, CountersFile counters, PeerSession session) {
        this.config = config;
        this.tun = tun;
        this.counters = counters;
        this.session = session;
        this.parentPid = ParentProcess.getppid();
        ThreadFactory threads = r -> {
            Thread t = new Thread(r, "braid-loop-" + config.tunName());
            t.setDaemon(false);
            return t;
        };
        this.spin = new SpinThenBlockStrategy(config.spinMicros() * 1_000L, config.replySpinMicros() * 1_000L);
        this.group = new MultiThreadIoEventLoopGroup(1, threads, EpollIoHandler.newFactory(0, () -> spin));
        this.loop = group.next();
    }

    /** Pins the loop thread, binds the socket, registers the TUN, starts the tick. */
    public void start() throws Exception {
        loop.submit(this::pin).sync();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(EpollDatagramChannel.class)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                // the kernel caps SO_RCVBUF at net.core.rmem_max (208 KB by default): a worker that is
                // descheduled for a few ms would lose datagrams at its socket, so it forces 8 MB
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                .option(SO_RCVBUFFORCE, SOCKET_BUFFER_BYTES)
                .option(SO_SNDBUFFORCE, SOCKET_BUFFER_BYTES)
                .option(ChannelOption.MAX_MESSAGES_PER_READ, 64)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 4 << 20))
                .handler(new UdpHandler());
        if (config.offloads()) {
            // GRO: the kernel hands over runs of same-size datagrams from one sender as one buffer
            // with their segment size (up to 64 KB per read). recvmmsg stays off with it: Netty
            // builds before September 2026 lose the segment size on that path.
            bootstrap.option(EpollChannelOption.UDP_GRO, true)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_536));
        } else {
            // one datagram per buffer, big enough for any WireGuard message we accept (larger ones are
            // cut, then refused by their length check); > 0 turns on recvmmsg
            bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                    .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048);
        }
        udp = (EpollDatagramChannel) bootstrap.bind(new InetSocketAddress(config.listenPort())).sync().channel();
        counters.set(Counter.LISTEN_PORT, config.listenPort());
        boolean gso = config.offloads() && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
        LOG.info("UDP offloads: GSO {}, GRO {}", gso ? "on" : "off",
                Boolean.TRUE.equals(udp.config().getOption(EpollChannelOption.UDP_GRO)) ? "on" : "off");
        TunPort tunPort = tun.vnetHeader() ? new OffloadTunPort(tun, config.mtuBytes(), counters)
                : new TunDevicePort(tun, config.mtuBytes() + 64);
        loop.submit(() -> session.attach(new NettyUdpPort(udp, gso), tunPort)).sync();
        tunRegistration = loop.register(new TunHandle()).sync().getNow();
        loop.submit(() -> tunRegistration.submit(EpollIoOps.EPOLLIN)).sync();
        loop.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        LOG.info("worker up: tun {} udp :{} cpu {}", config.tunName(), config.listenPort(),
                config.cpu() < 0 ? "unpinned" : config.cpu());
    }

    private void pin() {
        if (config.cpu() < 0) {
            counters.set(Counter.CPU, -1);
            return;
        }
        try {
            Affinity.setAffinity(config.cpu());
            BitSet now = Affinity.getAffinity();
            if (now.cardinality() == 1 && now.get(config.cpu())) {
                counters.set(Counter.CPU, config.cpu());
                return;
            }
            LOG.warn("pinning the loop to CPU {} was not applied (affinity is {}); running unpinned", config.cpu(), now);
        } catch (RuntimeException | Error e) {
            LOG.warn("pinning the loop to CPU {} was refused ({}); running unpinned", config.cpu(), e.toString());
        }
        counters.set(Counter.CPU, -1);
    }

    private void tick() {
        long now = System.nanoTime();
        counters.set(Counter.LOOP_HEARTBEAT_MONOTONIC_NANOS, now);
        if (now - socketDropsReadNanos >= SOCKET_DROPS_EVERY_NANOS) {
            socketDropsReadNanos = now;
            long drops = SocketDrops.forPort(config.listenPort());
            if (drops >= 0) {
                counters.set(Counter.DROP_SOCKET_RECEIVE_OVERFLOW, drops);
            }
        }
        for (var cmd = counters.pollCommand(); cmd != dev.braid.instance.counters.ControlCommand.NONE;
                cmd = counters.pollCommand()) {
            session.onControl(cmd, now);
        }
        session.onTick(now);
        if (config.supervised() && ParentProcess.getppid() != parentPid) {
            LOG.warn("supervisor (pid {}) is gone; stopping", parentPid);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** Called by the session when the socket's writability changes. */
    void setTunReading(boolean on) {
        if (tunRegistration == null || on != tunReadPaused) {
            return;
        }
        tunReadPaused = !on;
        tunRegistration.submit(on ? EpollIoOps.EPOLLIN : EpollIoOps.NONE);
    }

    /** Ends the loop (from a signal handler or any thread); {@link #awaitTermination} then returns. */
    public void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    public void awaitTermination() throws InterruptedException {
        group.terminationFuture().await();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        tun.close();
    }

    /** The UDP side: every datagram goes to the session, which owns (and releases) the packet. */
    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        UdpHandler() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            long now = System.nanoTime();
            spin.activity(now);
            session.beginBatch(now);
            ByteBuf content = packet.content();
            try {
                if (packet instanceof io.netty.channel.unix.SegmentedDatagramPacket segmented) {
                    // a GRO run: back-to-back datagrams of segmentSize bytes, the last maybe shorter
                    int size = segmented.segmentSize();
                    for (int at = content.readerIndex(); at < content.writerIndex(); at += size) {
                        session.onDatagram(content, at, Math.min(size, content.writerIndex() - at), packet.sender());
                    }
                } else {
                    session.onDatagram(content, content.readerIndex(), content.readableBytes(), packet.sender());
                }
            } finally {
                session.endBatch();
                content.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            session.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            setTunReading(ctx.channel().isWritable());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and the like surface here; they are not fatal for a UDP tunnel
            counters.increment(Counter.DROP_UDP_SEND_FAILED);
            LOG.debug("udp: {}", cause.toString());
        }
    }

    /** The TUN side: read up to a budget of packets per readiness event. */
    private final class TunHandle implements EpollIoHandle {
        @Override
        public FileDescriptor fd() {
            return tun.fd();
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            EpollIoOps ops = ((EpollIoEvent) event).ops();
            if (!ops.contains(EpollIoOps.EPOLLIN)) {
                return;
            }
            long now = System.nanoTime();
            spin.activity(now);
            session.beginBatch(now);
            int handled = 0;
            try {
                while (handled < TUN_READ_BUDGET && udp.isWritable()) {
                    if (!session.onTunReadable()) {
                        break;
                    }
                    handled++;
                }
            } finally {
                session.endBatch();
            }
            session.flush();
            if (!udp.isWritable()) {
                setTunReading(false);
            }
        }

        @Override
        public void close() {
            tun.close();
        }
    }
}
