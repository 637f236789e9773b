package dev.braid.instance.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.instance.counters.ControlCommand;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.fuzz.DatagramAccounting;
import dev.braid.instance.protocol.WireGuardKeys;

/**
 * Two sessions wired back to back through an in-memory "network", on a fake clock: minutes of
 * protocol time (rekeys, keepalives, expiry) run in milliseconds, deterministically.
 */
class PeerSessionTest {
    static final InetSocketAddress ADDRESS_A = new InetSocketAddress("198.18.0.1", 51820);
    static final InetSocketAddress ADDRESS_B = new InetSocketAddress("198.18.0.2", 51820);
    static final long MS = 1_000_000L;
    static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    long now = 1_000 * SECOND;
    final InstantSource wall = () -> Instant.ofEpochSecond(1_790_000_000L).plusNanos(now);
    Side a;
    Side b;
    /** Datagrams in flight: delivered by {@link #pump}. */
    final ArrayDeque<Datagram> network = new ArrayDeque<>();
    boolean dropFromB;

    record Datagram(byte[] bytes, InetSocketAddress from, InetSocketAddress to) {
    }

    /** One end: its session, counters, and what its TUN received. */
    final class Side implements UdpPort, TunPort {
        final PeerSession session;
        final CountersFile counters;
        final InetSocketAddress address;
        final ArrayDeque<byte[]> tunOutbound = new ArrayDeque<>();
        final List<byte[]> tunDelivered = new ArrayList<>();

        Side(String name, byte[] key, byte[] peerKey, InetSocketAddress address, String... flags) throws IOException {
            this.address = address;
            this.counters = CountersFile.create(dir.resolve(name + ".counters"), 1);
            List<String> args = new ArrayList<>(List.of("--tun", "t" + name, "--listen-port", "51820",
                    "--private-key", "/unused", "--peer-public-key", WireGuardKeys.toBase64(peerKey)));
            args.addAll(List.of(flags));
            this.session = new PeerSession(WorkerConfig.parse(args), key, peerKey, null, counters,
                    () -> now, wall, new SplittableRandom(name.hashCode()));
        }

        @Override
        public void send(byte[] buf, int offset, int length, InetSocketAddress to) {
            if (this == b && dropFromB) {
                return;
            }
            network.add(new Datagram(java.util.Arrays.copyOfRange(buf, offset, offset + length), address, to));
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
            System.arraycopy(p, 0, dst, offset, p.length);
            return p.length;
        }

        @Override
        public boolean write(byte[] src, int offset, int length) {
            tunDelivered.add(java.util.Arrays.copyOfRange(src, offset, offset + length));
            return true;
        }

        long get(Counter c) {
            return counters.get(c);
        }

        /** Queues a packet on the TUN and lets the session read it. */
        void sendPacket(byte[] packet) {
            tunOutbound.add(packet);
            while (session.onTunReadable()) {
                // drain
            }
        }
    }

    @BeforeEach
    void sides() throws IOException {
        SplittableRandom r = new SplittableRandom(42);
        byte[] k1 = key(r);
        byte[] k2 = key(r);
        // A is the lower public key, so A offers the first handshake at once
        boolean oneIsLower = java.util.Arrays.compareUnsigned(WireGuardKeys.publicFromPrivate(k1),
                WireGuardKeys.publicFromPrivate(k2)) < 0;
        byte[] keyA = oneIsLower ? k1 : k2;
        byte[] keyB = oneIsLower ? k2 : k1;
        a = new Side("a", keyA, WireGuardKeys.publicFromPrivate(keyB), ADDRESS_A,
                "--endpoint", "198.18.0.2:51820", "--allowed-ips", "10.99.0.2/32", "--keepalive-interval-ms", "300");
        b = new Side("b", keyB, WireGuardKeys.publicFromPrivate(keyA), ADDRESS_B,
                "--allowed-ips", "10.99.0.1/32", "--keepalive-interval-ms", "300");
        a.session.attach(a, a);
        b.session.attach(b, b);
    }

    @AfterEach
    void close() {
        a.counters.close();
        b.counters.close();
    }

    static byte[] key(SplittableRandom r) {
        byte[] k = new byte[32];
        r.nextBytes(k);
        WireGuardKeys.clamp(k);
        return k;
    }

    /** Delivers everything in flight, including what the deliveries cause. */
    void pump() {
        for (int guard = 0; guard < 10_000 && !network.isEmpty(); guard++) {
            Datagram d = network.poll();
            Side to = d.to().equals(ADDRESS_A) ? a : d.to().equals(ADDRESS_B) ? b : null;
            if (to != null) {
                to.session.onDatagram(d.bytes(), 0, d.bytes().length, d.from());
            }
        }
    }

    /** Advances the fake clock in 10 ms ticks, as the loop's timer would, delivering as it goes. */
    void advance(long nanos) {
        long end = now + nanos;
        while (now < end) {
            now = Math.min(end, now + 10 * MS);
            a.session.onTick(now);
            b.session.onTick(now);
            pump();
        }
    }

    /** A UDP-in-IPv4 packet whose payload counts up, so a byte out of place shows. */
    static byte[] ipv4(String src, String dst, int payloadBytes) {
        byte[] p = DatagramAccounting.ipv4(src, dst, 0, payloadBytes);
        for (int i = 20; i < p.length; i++) {
            p[i] = (byte) i;
        }
        return p;
    }

    @Test
    void handshakeThenPacketsBothWays() {
        pump();
        assertEquals(1, a.get(Counter.HANDSHAKES_COMPLETED), "A completed as initiator");
        assertEquals(1, b.get(Counter.HANDSHAKES_COMPLETED), "B completed once A's keepalive confirmed the keypair");
        byte[] toB = ipv4("10.99.0.1", "10.99.0.2", 100);
        a.sendPacket(toB);
        pump();
        assertArrayEquals(toB, b.tunDelivered.getLast(), "B's TUN got exactly the packet, unpadded");
        byte[] toA = ipv4("10.99.0.2", "10.99.0.1", 1000);
        b.sendPacket(toA);
        pump();
        assertArrayEquals(toA, a.tunDelivered.getLast());
        assertEquals(ADDRESS_A.getPort(), b.get(Counter.ENDPOINT_PORT), "B learned A's endpoint from the handshake");
    }

    @Test
    void packetsWaitingForTheHandshakeAreSentWhenItCompletes() {
        // before anything is delivered: A has sent its initiation, nothing else
        for (int i = 0; i < 5; i++) {
            a.sendPacket(ipv4("10.99.0.1", "10.99.0.2", 50 + i));
        }
        assertEquals(5, a.get(Counter.STAGED_PACKETS));
        pump();
        assertEquals(0, a.get(Counter.STAGED_PACKETS));
        assertEquals(5, b.tunDelivered.size(), "every staged packet arrived, in order");
        assertEquals(70 + 4, b.tunDelivered.getLast().length);
    }

    @Test
    void theInitiatorRekeysAfterTwoMinutesAndTrafficNeverStops() {
        pump();
        // 150 s: past REKEY_AFTER_TIME (120 s) but before REJECT_AFTER_TIME (180 s) would force one
        for (int second = 0; second < 150; second++) {
            a.sendPacket(ipv4("10.99.0.1", "10.99.0.2", 64));
            b.sendPacket(ipv4("10.99.0.2", "10.99.0.1", 64));
            advance(SECOND);
        }
        assertTrue(a.get(Counter.HANDSHAKES_COMPLETED) >= 2, "REKEY_AFTER_TIME (120 s) started a new session");
        assertEquals(0, a.get(Counter.DROP_DECRYPT_FAILED) + b.get(Counter.DROP_DECRYPT_FAILED));
        assertEquals(0, a.get(Counter.DROP_KEYPAIR_EXPIRED) + b.get(Counter.DROP_KEYPAIR_EXPIRED));
        assertEquals(150, b.tunDelivered.size(), "every packet A sent arrived across the rekey");
        assertEquals(150, a.tunDelivered.size());
    }

    @Test
    void idlePathsProveThemselvesWithKeepalivesEveryInterval() {
        pump();
        long sentBefore = a.get(Counter.KEEPALIVES_SENT);
        long receivedBefore = b.get(Counter.KEEPALIVES_RECEIVED);
        advance(3 * SECOND);
        long sent = a.get(Counter.KEEPALIVES_SENT) - sentBefore;
        assertTrue(sent >= 9 && sent <= 11, "about one keepalive per 300 ms, got " + sent);
        assertEquals(sent, b.get(Counter.KEEPALIVES_RECEIVED) - receivedBefore);
        long lastReceiveAge = now - a.get(Counter.LAST_RECEIVE_MONOTONIC_NANOS);
        assertTrue(lastReceiveAge <= 310 * MS, "A heard from B within an interval: " + lastReceiveAge / MS + " ms");
    }

    @Test
    void aSilentPeerExpiresTheSessionAndTheHandshakeIsOfferedUntilItReturns() {
        pump();
        dropFromB = true;
        advance(200 * SECOND);
        assertEquals(0, a.get(Counter.SESSION_ESTABLISHED), "REJECT_AFTER_TIME ended the session");
        long offered = a.get(Counter.HANDSHAKE_INITIATIONS_SENT);
        assertTrue(offered > 10, "A keeps offering handshakes to a silent peer: " + offered);
        dropFromB = false;
        advance(6 * SECOND);
        assertEquals(1, a.get(Counter.SESSION_ESTABLISHED), "the path came back by itself");
        a.sendPacket(ipv4("10.99.0.1", "10.99.0.2", 10));
        pump();
        assertEquals(30, b.tunDelivered.getLast().length);
    }

    @Test
    void aForcedRekeyStartsANewHandshake() {
        pump();
        advance(6 * SECOND); // past REKEY_TIMEOUT since the first initiation
        long before = a.get(Counter.HANDSHAKES_COMPLETED);
        b.session.onControl(ControlCommand.REKEY, now);
        pump();
        assertEquals(before + 1, a.get(Counter.HANDSHAKES_COMPLETED));
        assertEquals(1, b.get(Counter.HANDSHAKE_ROLE), "B initiated this one");
    }

    @Test
    void roamingFollowsAuthenticatedPacketsOnly() {
        pump();
        InetSocketAddress moved = new InetSocketAddress("198.18.0.99", 40000);
        a.sendPacket(ipv4("10.99.0.1", "10.99.0.2", 20));
        Datagram d = network.poll();
        assertNotNull(d);
        b.session.onDatagram(d.bytes(), 0, d.bytes().length, moved);
        assertEquals(40000, b.get(Counter.ENDPOINT_PORT), "an authenticated packet from a new address moves the endpoint");
        byte[] forged = d.bytes().clone();
        forged[forged.length - 1] ^= 1;
        b.session.onDatagram(forged, 0, forged.length, new InetSocketAddress("203.0.113.9", 1));
        assertEquals(40000, b.get(Counter.ENDPOINT_PORT), "a forged packet does not");
        assertEquals(1, b.get(Counter.DROP_DECRYPT_FAILED) + b.get(Counter.DROP_REPLAYED_COUNTER));
    }

    @Test
    void packetsFromOutsideTheAllowedIpsAreDropped() {
        pump();
        a.sendPacket(ipv4("10.99.0.1", "10.99.0.2", 20));
        pump();
        int delivered = b.tunDelivered.size();
        // A's allowed destinations do not include 10.50.0.1: never encrypted
        a.sendPacket(ipv4("10.99.0.1", "10.50.0.1", 20));
        assertEquals(1, a.get(Counter.DROP_DISALLOWED_DESTINATION));
        // B only accepts 10.99.0.1 as a source from A (A's side checks destinations only)
        a.sendPacket(ipv4("10.77.0.1", "10.99.0.2", 20));
        pump();
        assertEquals(delivered, b.tunDelivered.size());
        assertEquals(1, b.get(Counter.DROP_DISALLOWED_SOURCE));
    }
}
