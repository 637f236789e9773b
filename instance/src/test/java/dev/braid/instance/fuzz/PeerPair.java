package dev.braid.instance.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.braid.instance.counters.ControlCommand;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.protocol.WireGuardKeys;
import dev.braid.instance.worker.PeerSession;
import dev.braid.instance.worker.TunPort;
import dev.braid.instance.worker.UdpPort;
import dev.braid.instance.worker.WorkerConfig;

/**
 * Two Braid sessions on one fake clock, wired through in-memory ports: I (the initiator, the far
 * end) and R (the responder, the side under test). Everything is deterministic — fixed keys, seeded
 * randomness, a fixed start time — so the same start state can be rebuilt at will ({@link #reset})
 * and the messages the pair puts on the wire are the same on every run (they are the fuzz seeds).
 * <pre>
 *  FRESH:       R attached, has heard from nobody and has no endpoint; I does not exist yet.
 *  ESTABLISHED: I initiated, R answered, I's keepalive confirmed the keypair (K1), a second of
 *               keepalives went by; then R began a rekey, I consumed R's initiation and I's
 *               response is still in flight (held in I's outbox, not delivered).
 * </pre>
 * Datagrams a peer sends wait in its outbox until {@link #deliverAll} (or a test) moves them;
 * datagrams to addresses nobody has are lost. {@link #feed} hands one datagram to R and checks the
 * accounting rule every datagram must obey (see {@link DatagramAccounting}).
 */
public final class PeerPair implements AutoCloseable {
    public enum Start { FRESH, ESTABLISHED }

    public static final InetSocketAddress ADDRESS_I = new InetSocketAddress("198.18.0.1", 51820);
    public static final InetSocketAddress ADDRESS_R = new InetSocketAddress("198.18.0.2", 51820);
    /** Somebody else on the Internet: a spoofed or roaming source. */
    public static final InetSocketAddress ADDRESS_STRANGER_V4 = new InetSocketAddress("203.0.113.66", 40000);
    public static final InetSocketAddress ADDRESS_STRANGER_V6 = new InetSocketAddress("2001:db8::66", 40001);
    public static final String TUNNEL_I = "10.99.0.1";
    public static final String TUNNEL_R = "10.99.0.2";

    public static final long MS = 1_000_000L;
    public static final long SECOND = 1_000_000_000L;
    /** Monotonic time when a pair starts; the wall clock is a fixed epoch plus this. */
    public static final long START_NANOS = 1_000 * SECOND;
    private static final Instant WALL_EPOCH = Instant.ofEpochSecond(1_790_000_000L);

    public static final byte[] KEY_I;
    public static final byte[] KEY_R;
    public static final byte[] PUBLIC_I;
    public static final byte[] PUBLIC_R;

    static {
        SplittableRandom keys = new SplittableRandom(0xB4A1DL);
        byte[] k1 = new byte[32];
        byte[] k2 = new byte[32];
        keys.nextBytes(k1);
        keys.nextBytes(k2);
        WireGuardKeys.clamp(k1);
        WireGuardKeys.clamp(k2);
        // I must hold the lower public key: only that end offers a handshake at once
        boolean oneIsLower = Arrays.compareUnsigned(WireGuardKeys.publicFromPrivate(k1), WireGuardKeys.publicFromPrivate(k2)) < 0;
        KEY_I = oneIsLower ? k1 : k2;
        KEY_R = oneIsLower ? k2 : k1;
        PUBLIC_I = WireGuardKeys.publicFromPrivate(KEY_I);
        PUBLIC_R = WireGuardKeys.publicFromPrivate(KEY_R);
    }

    private final Start start;
    private final Path dir;
    private final CountersFile countersI;
    private final CountersFile countersR;
    private long nowNanos;
    private final InstantSource wall = () -> WALL_EPOCH.plusNanos(nowNanos);
    private Peer i;
    private Peer r;
    private long startStateNanos;
    private boolean dirty;
    /** The messages the pair put on the wire while getting to its start state, by name. */
    private final java.util.Map<String, byte[]> wire = new java.util.LinkedHashMap<>();

    public PeerPair(Start start) {
        this.start = start;
        try {
            this.dir = Files.createTempDirectory("braid-fuzz-");
            this.countersI = CountersFile.create(dir.resolve("i.counters"), 1);
            this.countersR = CountersFile.create(dir.resolve("r.counters"), 2);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the counters files of a fuzz rig", e);
        }
        reset();
    }

    /** Rebuilds both sessions in the start state (the same state, byte for byte, every time). */
    public void reset() {
        nowNanos = START_NANOS;
        wire.clear();
        r = new Peer("r", KEY_R, PUBLIC_I, ADDRESS_R, countersR, 0x52L, "--allowed-ips", TUNNEL_I + "/32");
        i = null;
        r.session.attach(r, r);
        if (start == Start.ESTABLISHED) {
            i = newInitiator();
            requireOne(i.outbox, "I's first initiation");
            wire.put("initiation", i.outbox.getFirst().bytes());
            deliverAll();
            require(r.get(Counter.SESSION_ESTABLISHED) == 1 && i.get(Counter.SESSION_ESTABLISHED) == 1,
                    "I and R did not establish a session");
            for (int tick = 0; tick < 10; tick++) {
                advanceBoth(100 * MS);
                deliverAll();
            }
            r.session.onControl(ControlCommand.REKEY, nowNanos);
            requireOne(r.outbox, "R's rekey initiation");
            Datagram rekey = r.outbox.removeFirst();
            wire.put("rekey-initiation", rekey.bytes());
            i.session.onDatagram(rekey.bytes(), 0, rekey.bytes().length, ADDRESS_R);
            requireOne(i.outbox, "I's response to R's rekey");
            wire.put("rekey-response", i.outbox.getFirst().bytes());
        }
        startStateNanos = nowNanos;
        dirty = false;
    }

    /** A new I, attached now: being the lower key, it sends its initiation at once. */
    private Peer newInitiator() {
        Peer peer = new Peer("i", KEY_I, PUBLIC_R, ADDRESS_I, countersI, 0x49L,
                "--endpoint", ADDRESS_R.getAddress().getHostAddress() + ":" + ADDRESS_R.getPort(),
                "--allowed-ips", TUNNEL_R + "/32");
        peer.session.attach(peer, peer);
        return peer;
    }

    public Start start() {
        return start;
    }

    public Peer initiator() {
        return i;
    }

    public Peer responder() {
        return r;
    }

    public long nowNanos() {
        return nowNanos;
    }

    /** The messages seen on the wire on the way to the start state: initiation, rekey-initiation, rekey-response. */
    public java.util.Map<String, byte[]> wire() {
        return java.util.Collections.unmodifiableMap(wire);
    }

    /**
     * True when R may no longer be in its start state: something it received changed it, or time
     * moved. The fuzz targets {@link #reset} a dirty pair before the next input, so every input
     * meets the same start state.
     */
    public boolean isDirty() {
        return dirty || nowNanos != startStateNanos;
    }

    public void markDirty() {
        dirty = true;
    }

    /** Creates I now if it does not exist (FRESH start): being the lower key, it sends its initiation at once. */
    public Peer startInitiator() {
        if (i == null) {
            i = newInitiator();
        }
        return i;
    }

    /** Moves the clock for both ends, lets their timers act, and delivers what they send each other. */
    public void tick(long nanos) {
        advanceBoth(nanos);
        deliverAll();
    }

    /** Moves the clock and lets R's timers act (as one late tick of its loop would). */
    public void advanceResponder(long nanos) {
        nowNanos += nanos;
        r.session.onTick(nowNanos);
    }

    private void advanceBoth(long nanos) {
        nowNanos += nanos;
        r.session.onTick(nowNanos);
        if (i != null) {
            i.session.onTick(nowNanos);
        }
    }

    /**
     * Hands one datagram to R, as if it came from {@code sender}, and checks the accounting rule.
     *
     * @throws AssertionError when the rule is broken; anything R throws passes through
     */
    public DatagramAccounting.Outcome feed(byte[] buf, int offset, int length, InetSocketAddress sender) {
        r.outbox.clear();
        int tunBefore = r.tunDelivered.size();
        long[] before = r.counters.snapshot();
        r.session.onDatagram(buf, offset, length, sender);
        long[] after = r.counters.snapshot();
        DatagramAccounting.Outcome outcome = DatagramAccounting.judge(before, after, length,
                DatagramAccounting.typeOf(buf, offset, length), r.outbox, sender, r.tunDelivered.size() - tunBefore);
        if (outcome.changedState()) {
            dirty = true;
        }
        return outcome;
    }

    /** Delivers everything in flight between I and R, including what the deliveries cause. */
    public void deliverAll() {
        for (int guard = 0; guard < 10_000; guard++) {
            Peer from = !r.outbox.isEmpty() ? r : i != null && !i.outbox.isEmpty() ? i : null;
            if (from == null) {
                return;
            }
            Datagram d = from.outbox.removeFirst();
            Peer to = from == r ? i : r;
            if (to != null && d.to().equals(to.address)) {
                to.session.onDatagram(d.bytes(), 0, d.bytes().length, from.address);
            }
        }
        throw new AssertionError("I and R kept sending to each other for 10000 datagrams");
    }

    /**
     * Proves R still carries traffic both ways: an IP packet from I reaches R's TUN and one from R
     * reaches I's TUN, within {@code boundNanos} of protocol time (timers, retries and rekeys run;
     * a lost probe is sent again each second). In the FRESH start a new I first has to handshake.
     * Leaves the pair dirty.
     *
     * @throws AssertionError when either probe did not arrive in time
     */
    public void assertCarriesTraffic(long boundNanos) {
        dirty = true;
        r.outbox.clear(); // whatever R answered to the fuzz input is lost in the network
        startInitiator();
        byte[] toR = DatagramAccounting.ipv4(TUNNEL_I, TUNNEL_R, 0x5A, 60);
        byte[] toI = DatagramAccounting.ipv4(TUNNEL_R, TUNNEL_I, 0xA5, 61);
        long startNanos = nowNanos;
        long nextProbe = nowNanos;
        boolean arrivedAtR = false;
        boolean arrivedAtI = false;
        while (true) {
            if (nowNanos - nextProbe >= 0) {
                nextProbe = nowNanos + SECOND;
                if (!arrivedAtR) {
                    i.sendPacket(toR);
                }
                deliverAll();
                if (!arrivedAtI) {
                    r.sendPacket(toI);
                }
            }
            deliverAll();
            arrivedAtR = arrivedAtR || contains(r.tunDelivered, toR);
            arrivedAtI = arrivedAtI || contains(i.tunDelivered, toI);
            if (arrivedAtR && arrivedAtI) {
                return;
            }
            if (nowNanos - startNanos > boundNanos) {
                throw new AssertionError("R stopped carrying traffic: after " + (nowNanos - startNanos) / MS
                        + " ms of protocol time the probe " + (arrivedAtR ? "from R to I" : "from I to R")
                        + " has not arrived; R: " + r.describe() + "; I: " + i.describe());
            }
            advanceBoth(100 * MS);
        }
    }

    private static boolean contains(List<byte[]> packets, byte[] packet) {
        for (byte[] p : packets) {
            if (Arrays.equals(p, packet)) {
                return true;
            }
        }
        return false;
    }

    private static void requireOne(List<Datagram> outbox, String what) {
        require(outbox.size() == 1, "expected exactly " + what + " on the wire, got " + outbox.size() + " datagrams");
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalStateException("the fuzz rig did not reach its start state: " + problem);
        }
    }

    @Override
    public void close() {
        countersI.close();
        countersR.close();
        try {
            Files.deleteIfExists(dir.resolve("i.counters"));
            Files.deleteIfExists(dir.resolve("r.counters"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temp dir left behind is harmless
        }
    }

    /** A datagram on the in-memory wire. */
    public record Datagram(byte[] bytes, InetSocketAddress to) {
    }

    /** One end: its session, its counters, its outbox and what its TUN received. */
    public final class Peer implements UdpPort, TunPort {
        final String name;
        final InetSocketAddress address;
        final CountersFile counters;
        final PeerSession session;
        final List<Datagram> outbox = new ArrayList<>();
        final ArrayDeque<byte[]> tunOutbound = new ArrayDeque<>();
        final List<byte[]> tunDelivered = new ArrayList<>();

        Peer(String name, byte[] key, byte[] peerKey, InetSocketAddress address, CountersFile counters, long seed,
             String... flags) {
            this.name = name;
            this.address = address;
            this.counters = counters;
            List<String> args = new ArrayList<>(List.of("--tun", "fz" + name, "--listen-port", String.valueOf(address.getPort()),
                    "--private-key", "/unused", "--peer-public-key", WireGuardKeys.toBase64(peerKey),
                    "--keepalive-interval-ms", "300"));
            args.addAll(List.of(flags));
            this.session = new PeerSession(WorkerConfig.parse(args), key, peerKey, null, counters,
                    () -> nowNanos, wall, new SplittableRandom(seed));
        }

        public PeerSession session() {
            return session;
        }

        public CountersFile counters() {
            return counters;
        }

        public List<Datagram> outbox() {
            return outbox;
        }

        public List<byte[]> tunDelivered() {
            return tunDelivered;
        }

        public long get(Counter c) {
            return counters.get(c);
        }

        /** Queues an IP packet on this end's TUN and lets the session read it. */
        public void sendPacket(byte[] packet) {
            tunOutbound.add(packet);
            for (int guard = 0; guard < 1000 && session.onTunReadable(); guard++) {
                // drain
            }
        }

        @Override
        public void send(byte[] buf, int offset, int length, InetSocketAddress to) {
            outbox.add(new Datagram(Arrays.copyOfRange(buf, offset, offset + length), to));
        }

        @Override
        public void flush() {
        }

        @Override
        public int read(byte[] dst, int offset, int capacity) {
            byte[] p = tunOutbound.poll();
            if (p == null) {
                return 0;
            }
            int n = Math.min(p.length, capacity);
            System.arraycopy(p, 0, dst, offset, n);
            return n;
        }

        @Override
        public boolean write(byte[] src, int offset, int length) {
            tunDelivered.add(Arrays.copyOfRange(src, offset, offset + length));
            return true;
        }

        String describe() {
            return name + " established=" + get(Counter.SESSION_ESTABLISHED) + " handshakes=" + get(Counter.HANDSHAKES_COMPLETED)
                    + " initiations sent=" + get(Counter.HANDSHAKE_INITIATIONS_SENT) + " staged=" + get(Counter.STAGED_PACKETS)
                    + " endpoint port=" + get(Counter.ENDPOINT_PORT);
        }
    }
}
