package dev.braid.ecmp.lab.impair;

import dev.braid.ecmp.NamespaceThread;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * A userspace UDP relay that puts a lossy, delaying, reordering network between two Braid sites
 * (the lab kernel has no netem). It sits in a middle namespace R with one address facing each site
 * ({@link RelayLab} builds A — R — B); each site's config names the relay's address on its side as
 * the peer endpoint, and WireGuard's roaming makes the far side answer to where the packets came
 * from, which is the relay again.
 *
 * <p><b>Mapping.</b> For each configured port p the relay binds R_A:p and R_B:p. A datagram arriving
 * on R_A:p (from any source, normally worker p of A) is sent from R_B:p to B's underlay address
 * UB:p; one arriving on R_B:p is sent from R_A:p to UA:p. So worker i of A and worker i of B stay
 * paired end to end on port base+i, and each sees the relay's address as its peer.
 *
 * <p><b>Flow.</b> One thread per direction ({@link DirectionPump}): it reads the sockets of its
 * sending side, passes each datagram through that direction's {@link DirectionPipeline} (blackhole,
 * loss, reorder, delay — see {@link Impairment}) and sends it on the receiving side's socket of the
 * same port, at once or when its delay is up. The delay queue is a fixed pool of slots; the steady
 * state allocates nothing. {@link #setImpairment}, {@link #setProfile} and {@link #blackhole} may be
 * called from any thread at any time and apply from the next packet on (a blackhole also drops
 * what that port has queued).
 */
public final class ImpairmentRelay implements AutoCloseable {
    private static final long SECOND_DIRECTION_SEED_OFFSET = 0x9E3779B97F4A7C15L;

    private final RelayConfig config;
    private final DatagramChannel[] facingA;
    private final DatagramChannel[] facingB;
    private final AtomicIntegerArray blackholed;
    private final DirectionCounters[] counters = new DirectionCounters[2];
    private final DirectionPipeline[] pipelines = new DirectionPipeline[2];
    private final DirectionPump.ChannelSender[] senders = new DirectionPump.ChannelSender[2];
    private final DirectionPump[] pumps = new DirectionPump[2];
    private final Thread[] threads = new Thread[2];
    private boolean closed;

    private ImpairmentRelay(RelayConfig config, DatagramChannel[] facingA, DatagramChannel[] facingB) {
        this.config = config;
        this.facingA = facingA;
        this.facingB = facingB;
        this.blackholed = new AtomicIntegerArray(config.ports().size());
    }

    /**
     * Binds the sockets (inside {@code config.namespace()} when given) and starts both directions
     * with {@link Profile#BASELINE}.
     *
     * @throws IOException when a socket cannot be opened or bound (message names address, port and namespace)
     */
    public static ImpairmentRelay start(RelayConfig config) throws IOException {
        DatagramChannel[][] sockets;
        if (config.namespace() == null) {
            sockets = openSockets(config);
        } else {
            try (NamespaceThread inside = NamespaceThread.enter(config.namespace())) {
                sockets = inside.call(() -> openSockets(config));
            } catch (IllegalStateException e) {
                // NamespaceThread wraps checked exceptions; give the caller the IOException it expects
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw e;
            }
        }
        ImpairmentRelay relay = new ImpairmentRelay(config, sockets[0], sockets[1]);
        try {
            relay.startPumps();
        } catch (IOException | RuntimeException e) {
            relay.close();
            throw e;
        }
        return relay;
    }

    private static DatagramChannel[][] openSockets(RelayConfig config) throws IOException {
        int n = config.ports().size();
        DatagramChannel[] a = new DatagramChannel[n];
        DatagramChannel[] b = new DatagramChannel[n];
        List<DatagramChannel> opened = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                int port = config.ports().get(i);
                a[i] = open(config, config.a().relayAddress(), port);
                opened.add(a[i]);
                b[i] = open(config, config.b().relayAddress(), port);
                opened.add(b[i]);
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : opened) {
                closeQuietly(c);
            }
            throw e;
        }
        return new DatagramChannel[][] {a, b};
    }

    private static DatagramChannel open(RelayConfig config, InetAddress address, int port) throws IOException {
        DatagramChannel channel = DatagramChannel.open(address instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, config.socketBufferBytes());
            channel.setOption(StandardSocketOptions.SO_SNDBUF, config.socketBufferBytes());
            channel.bind(new InetSocketAddress(address, port));
            channel.configureBlocking(false);
            return channel;
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IOException("relay cannot bind UDP " + new InetSocketAddress(address, port) + " in namespace "
                    + (config.namespace() == null ? "(current)" : config.namespace()) + ": " + e.getMessage()
                    + " (is the address configured there and the port free?)", e);
        }
    }

    private void startPumps() throws IOException {
        int n = config.ports().size();
        InetSocketAddress[] toB = new InetSocketAddress[n];
        InetSocketAddress[] toA = new InetSocketAddress[n];
        for (int i = 0; i < n; i++) {
            toB[i] = new InetSocketAddress(config.b().siteAddress(), config.ports().get(i));
            toA[i] = new InetSocketAddress(config.a().siteAddress(), config.ports().get(i));
        }
        setUp(Direction.A_TO_B, facingA, facingB, toB, config.seed());
        setUp(Direction.B_TO_A, facingB, facingA, toA, config.seed() + SECOND_DIRECTION_SEED_OFFSET);
        for (Direction d : Direction.values()) {
            threads[d.ordinal()] = Thread.ofPlatform().daemon()
                    .name("impair-relay-" + (d == Direction.A_TO_B ? "a2b" : "b2a"))
                    .start(pumps[d.ordinal()]);
        }
    }

    private void setUp(Direction d, DatagramChannel[] inbound, DatagramChannel[] outbound,
                       InetSocketAddress[] destinations, long seed) throws IOException {
        int i = d.ordinal();
        counters[i] = new DirectionCounters(config.ports().size());
        senders[i] = new DirectionPump.ChannelSender(outbound, destinations);
        pipelines[i] = new DirectionPipeline(seed, new DelayQueue(config.delaySlotsPerDirection(), config.slotBytes()),
                blackholed, counters[i], senders[i]);
        pumps[i] = new DirectionPump(d, inbound, pipelines[i]);
    }

    public RelayConfig config() {
        return config;
    }

    /** Sets what one direction does from its next packet on. */
    public void setImpairment(Direction direction, Impairment impairment) {
        pipelines[direction.ordinal()].setImpairment(Objects.requireNonNull(impairment, "impairment"));
    }

    public Impairment impairment(Direction direction) {
        return pipelines[direction.ordinal()].impairment();
    }

    /** Applies a profile to both directions (as tc netem on both sites' egress). */
    public void setProfile(Profile profile) {
        for (Direction d : Direction.values()) {
            setImpairment(d, profile.impairment());
        }
    }

    /**
     * Drops (true) or again forwards (false) every datagram of {@code port}, both directions,
     * including those already queued: a dead path whose workers stay alive.
     */
    public void blackhole(int port, boolean drop) {
        blackholed.set(portIndex(port), drop ? 1 : 0);
    }

    public boolean isBlackholed(int port) {
        return blackholed.get(portIndex(port)) != 0;
    }

    /**
     * The counters now.
     *
     * @throws IllegalStateException if a direction's thread has died (its cause attached)
     */
    public RelayStats stats() {
        for (DirectionPump p : pumps) {
            if (p != null && p.failure() != null) {
                throw new IllegalStateException("impairment relay direction " + p.direction().arrow() + " failed: "
                        + p.failure(), p.failure());
            }
        }
        List<PortStats> ports = new ArrayList<>();
        for (int i = 0; i < config.ports().size(); i++) {
            ports.add(new PortStats(config.ports().get(i), blackholed.get(i) != 0,
                    counters[Direction.A_TO_B.ordinal()].snapshot(i), counters[Direction.B_TO_A.ordinal()].snapshot(i)));
        }
        return new RelayStats(ports, pipelines[0].queued(), pipelines[1].queued());
    }

    /** The last error a send in that direction hit (counted in sendFailed), if any. */
    public Optional<IOException> lastSendFailure(Direction direction) {
        return Optional.ofNullable(senders[direction.ordinal()].lastFailure());
    }

    private int portIndex(int port) {
        int i = config.ports().indexOf(port);
        if (i < 0) {
            throw new IllegalArgumentException("port " + port + " is not relayed (relayed: " + config.ports() + ")");
        }
        return i;
    }

    /** Stops both threads, then closes every socket. Queued datagrams are discarded. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (DirectionPump p : pumps) {
            if (p != null) {
                p.stop();
            }
        }
        for (Thread t : threads) {
            if (t != null) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        for (DirectionPump p : pumps) {
            if (p != null) {
                p.closeSelector();
            }
        }
        for (DatagramChannel c : facingA) {
            closeQuietly(c);
        }
        for (DatagramChannel c : facingB) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(DatagramChannel c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (IOException ignored) {
            // closing a UDP socket cannot lose data worth reporting
        }
    }

    @Override
    public String toString() {
        return "ImpairmentRelay[" + (config.namespace() == null ? "" : config.namespace() + " ")
                + config.a().siteAddress().getHostAddress() + " ⇄ " + config.a().relayAddress().getHostAddress()
                + "|" + config.b().relayAddress().getHostAddress() + " ⇄ " + config.b().siteAddress().getHostAddress()
                + " ports " + config.ports() + ", A→B " + impairment(Direction.A_TO_B).describe()
                + ", B→A " + impairment(Direction.B_TO_A).describe() + "]";
    }
}
