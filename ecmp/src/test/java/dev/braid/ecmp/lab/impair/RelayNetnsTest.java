package dev.braid.ecmp.lab.impair;

import static dev.braid.ecmp.lab.impair.RelayLab.RELAY_A_ADDRESS;
import static dev.braid.ecmp.lab.impair.RelayLab.RELAY_B_ADDRESS;
import static dev.braid.ecmp.lab.impair.RelayLab.SITE_A_ADDRESS;
import static dev.braid.ecmp.lab.impair.RelayLab.SITE_B_ADDRESS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.lab.Netns;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Real UDP through A — R — B: the relay's mapping, counters, loss and blackholes on the wire. */
@Tag("netns")
class RelayNetnsTest {
    private static final int BASE_PORT = 51820;
    private static final List<Integer> PORTS = RelayConfig.portRange(BASE_PORT, 2);
    private static final Duration DEADLINE = Duration.ofSeconds(15);

    private RelayLab lab;
    private ImpairmentRelay relay;
    private final List<UdpEndpoint> endpoints = new ArrayList<>();

    @BeforeAll
    static void sweep() {
        Netns.sweepStale();
    }

    @BeforeEach
    void setUp() throws Exception {
        lab = RelayLab.create("rly");
        relay = lab.startRelay(PORTS);
    }

    @AfterEach
    void tearDown() {
        try {
            endpoints.forEach(UdpEndpoint::close);
        } finally {
            lab.close();
        }
    }

    private UdpEndpoint siteA(int port) {
        UdpEndpoint e = UdpEndpoint.bind(lab.siteA(), SITE_A_ADDRESS, port);
        endpoints.add(e);
        return e;
    }

    private UdpEndpoint siteB(int port) {
        UdpEndpoint e = UdpEndpoint.bind(lab.siteB(), SITE_B_ADDRESS, port);
        endpoints.add(e);
        return e;
    }

    private static InetSocketAddress relayA(int port) {
        return new InetSocketAddress(RELAY_A_ADDRESS, port);
    }

    private static InetSocketAddress relayB(int port) {
        return new InetSocketAddress(RELAY_B_ADDRESS, port);
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Netns.sleep(10);
        }
    }

    private static List<Integer> sequences(UdpEndpoint e) {
        return e.received().stream().map(UdpEndpoint.Received::sequence).toList();
    }

    @Test
    void baselineCarriesEveryDatagramInOrderOnEveryPortBothWays() throws Exception {
        int count = 3000;
        for (int port : PORTS) {
            UdpEndpoint a = siteA(port);
            UdpEndpoint b = siteB(port);
            a.sendPaced(relayA(port), 0, count, 200);
            b.sendPaced(relayB(port), 0, count, 1400);
            assertTrue(b.awaitCount(count, DEADLINE), "A→B on " + port + ": " + b.receivedCount() + " arrived; "
                    + relay.stats() + "; UDP counters in B " + RelayLab.udpCounters(lab.siteB()));
            assertTrue(a.awaitCount(count, DEADLINE), "B→A on " + port + ": " + a.receivedCount() + " arrived; "
                    + relay.stats() + "; UDP counters in A " + RelayLab.udpCounters(lab.siteA()));
            List<Integer> expected = IntStream.range(0, count).boxed().toList();
            assertEquals(expected, sequences(b));
            assertEquals(expected, sequences(a));
            // each site sees the relay's socket of the same port as its peer
            assertTrue(b.received().stream().allMatch(r -> r.from().equals(relayB(port))));
            assertTrue(a.received().stream().allMatch(r -> r.from().equals(relayA(port))));
        }
        RelayStats stats = relay.stats();
        System.out.println(stats);
        for (int port : PORTS) {
            PortStats p = stats.port(port);
            assertEquals(new DirectionStats(count, 200L * count, 0, 0, 0, 0, 0, 0), p.aToB());
            assertEquals(new DirectionStats(count, 1400L * count, 0, 0, 0, 0, 0, 0), p.bToA());
        }
    }

    @Test
    void theHighProfileLosesAndReordersAtItsRatesAndNeverDeliversEarly() throws Exception {
        relay.setProfile(Profile.HIGH);
        int count = 40_000;
        UdpEndpoint a = siteA(BASE_PORT);
        UdpEndpoint b = siteB(BASE_PORT);
        a.sendPaced(relayA(BASE_PORT), 0, count, 200);
        await("the relay to handle every datagram", () -> relay.stats().total(Direction.A_TO_B).handled() == count
                && relay.stats().queuedAToB() == 0);
        DirectionStats s = relay.stats().port(BASE_PORT).aToB();
        System.out.println(relay.stats());
        b.awaitCount((int) s.forwardedPackets(), DEADLINE);
        Netns.sleep(200);
        // a loaded machine may let B's socket overflow: those drops are the kernel's, counted there
        long droppedAtB = RelayLab.udpCounters(lab.siteB()).get("RcvbufErrors");
        assertEquals(s.forwardedPackets(), b.receivedCount() + droppedAtB,
                "nothing but the relay's decisions may lose datagrams (B's socket dropped " + droppedAtB + ")");
        assertEquals(0, s.queueOverflow() + s.sendFailed() + s.tooLarge() + s.blackholed());

        Impairment high = Profile.HIGH.impairment();
        double lossTolerance = 4 * Math.sqrt(count * 0.025 * 0.975 * 3);  // correlation ½: variance × 3
        assertEquals(count * high.lossPercent() / 100, s.lost(), lossTolerance, "lost: " + s);
        double survived = count - s.lost();
        double reorderTolerance = 4 * Math.sqrt(survived * 0.05 * 0.95 * 3);
        assertEquals(survived * high.reorderPercent() / 100, s.reordered(), reorderTolerance, "reordered: " + s);

        List<UdpEndpoint.Received> received = b.received();
        int outOfOrder = 0;
        int highest = -1;
        long minDelay = Long.MAX_VALUE;
        double delaySum = 0;
        for (UdpEndpoint.Received r : received) {
            if (r.sequence() < highest) {
                outOfOrder++;
            }
            highest = Math.max(highest, r.sequence());
            minDelay = Math.min(minDelay, r.delayNanos());
            delaySum += r.delayNanos();
        }
        System.out.printf("HIGH A→B: %d sent, %d received, %d arrived after a higher number, one-way delay min %.2f ms"
                + " mean %.2f ms%n", count, received.size(), outOfOrder, minDelay / 1e6, delaySum / received.size() / 1e6);
        assertTrue(outOfOrder > s.reordered(), "jitter and reorder must both show at the receiver");
        assertEquals(0, relay.stats().port(BASE_PORT).bToA().handled(), "B→A carried nothing in this test");
    }

    @Test
    void aDelayIsNeverShortenedOnTheWire() throws Exception {
        relay.setImpairment(Direction.B_TO_A, new Impairment(20_000_000, 5_000_000, 0, 0, 0, 0, 0));
        UdpEndpoint a = siteA(BASE_PORT);
        UdpEndpoint b = siteB(BASE_PORT);
        b.sendPaced(relayB(BASE_PORT), 0, 2000, 100);
        assertTrue(a.awaitCount(2000, DEADLINE));
        long min = a.received().stream().mapToLong(UdpEndpoint.Received::delayNanos).min().orElseThrow();
        double mean = a.received().stream().mapToLong(UdpEndpoint.Received::delayNanos).average().orElseThrow();
        System.out.printf("delay 20 ms ± 5 ms B→A: one-way min %.2f ms, mean %.2f ms%n", min / 1e6, mean / 1e6);
        assertTrue(min >= 15_000_000, "min one-way delay " + min + " ns");
    }

    @Test
    void aBlackholedPortCarriesNothingWhileTheOtherDoesUntilReopened() throws Exception {
        int dead = PORTS.get(0);
        int alive = PORTS.get(1);
        UdpEndpoint deadA = siteA(dead);
        UdpEndpoint deadB = siteB(dead);
        UdpEndpoint aliveA = siteA(alive);
        UdpEndpoint aliveB = siteB(alive);
        relay.blackhole(dead, true);
        assertTrue(relay.isBlackholed(dead));
        deadA.sendPaced(relayA(dead), 0, 500, 300);
        deadB.sendPaced(relayB(dead), 0, 500, 300);
        aliveA.sendPaced(relayA(alive), 0, 500, 300);
        aliveB.sendPaced(relayB(alive), 0, 500, 300);
        assertTrue(aliveB.awaitCount(500, DEADLINE) && aliveA.awaitCount(500, DEADLINE));
        await("the dead port's datagrams to be counted", () -> relay.stats().port(dead).aToB().blackholed() == 500
                && relay.stats().port(dead).bToA().blackholed() == 500);
        Netns.sleep(200);
        assertEquals(0, deadA.receivedCount());
        assertEquals(0, deadB.receivedCount());
        PortStats deadStats = relay.stats().port(dead);
        assertTrue(deadStats.blackholed());
        assertEquals(0, deadStats.aToB().forwardedPackets() + deadStats.bToA().forwardedPackets());
        assertEquals(0, relay.stats().port(alive).aToB().blackholed());

        relay.blackhole(dead, false);
        deadA.sendPaced(relayA(dead), 1000, 100, 300);
        assertTrue(deadB.awaitCount(100, DEADLINE), "a reopened port carries again");
        assertEquals(1000, sequences(deadB).get(0));
    }

    @Test
    void nothingCrossesExceptThroughTheRelay() throws Exception {
        UdpEndpoint a = siteA(BASE_PORT);
        UdpEndpoint b = siteB(BASE_PORT);
        a.sendPaced(new InetSocketAddress(SITE_B_ADDRESS, BASE_PORT), 0, 50, 100);
        Netns.sleep(500);
        assertEquals(0, b.receivedCount(), "R must not forward datagrams addressed to B itself");
        assertFalse(lab.siteA().tryRun(Duration.ofSeconds(5), List.of("ping", "-c", "1", "-W", "1", SITE_B_ADDRESS)).ok());
        assertEquals(0, relay.stats().total(Direction.A_TO_B).handled());
    }

    @Test
    void aSocketThatCannotBeBoundIsAClearErrorAndLeavesNothingOpen() {
        java.io.IOException inUse = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> ImpairmentRelay.start(lab.relayConfig(List.of(BASE_PORT + 1, BASE_PORT + 5))));
        assertTrue(inUse.getMessage().contains("relay cannot bind UDP") && inUse.getMessage().contains(
                String.valueOf(BASE_PORT + 1)) && inUse.getMessage().contains(lab.relayNamespace().name()),
                inUse.getMessage());
        // the failed start closed what it had bound: port BASE_PORT + 5 is free again
        try (ImpairmentRelay other = ImpairmentRelay.start(lab.relayConfig(List.of(BASE_PORT + 5)))) {
            assertEquals(List.of(BASE_PORT + 5), other.config().ports());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
