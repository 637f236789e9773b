package dev.braid.ecmp.lab.impair;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.NamespaceThread;
import dev.braid.ecmp.lab.Netns;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * How fast the relay forwards 1400-byte datagrams A→B on this machine: a sender thread in A blasts
 * as fast as its socket lets it, a receiver thread in B counts, the relay sits between on the same
 * two cores. Prints the figures (rates are not asserted: the box is shared and noisy); asserts only
 * that the relay's thread allocated (almost) nothing per datagram.
 */
@Tag("netns")
class RelayThroughputNetnsTest {
    private static final int PORT = 51820;
    private static final int DATAGRAM_BYTES = 1400;
    private static final long WARMUP_MILLIS = 1000;
    private static final long MEASURE_MILLIS = 3000;

    @BeforeAll
    static void sweep() {
        Netns.sweepStale();
    }

    @Test
    void forwardsBaselineAndHighProfileTraffic() throws Exception {
        try (RelayLab lab = RelayLab.create("thr")) {
            ImpairmentRelay relay = lab.startRelay(List.of(PORT));
            for (Profile profile : List.of(Profile.BASELINE, Profile.HIGH)) {
                relay.setProfile(profile);
                measure(lab, relay, profile, 0);
            }
            // a steady offered load, as a tunnel would send: does the relay keep up without kernel drops?
            relay.setProfile(Profile.BASELINE);
            measure(lab, relay, Profile.BASELINE, 1.5);
        }
    }

    /** {@code offeredGbit} 0 = as fast as the sender can, else paced in 1 ms bursts to that rate. */
    private static void measure(RelayLab lab, ImpairmentRelay relay, Profile profile, double offeredGbit)
            throws Exception {
        DatagramChannel sender = open(lab.siteA(), RelayLab.SITE_A_ADDRESS);
        DatagramChannel receiver = open(lab.siteB(), RelayLab.SITE_B_ADDRESS);
        sender.connect(new InetSocketAddress(RelayLab.RELAY_A_ADDRESS, PORT));
        AtomicLong sent = new AtomicLong();
        AtomicLong received = new AtomicLong();
        Thread send = Thread.ofPlatform().name("blast-a").start(() -> blast(sender, sent, offeredGbit));
        Thread receive = Thread.ofPlatform().name("count-b").start(() -> count(receiver, received));
        try {
            Thread.sleep(WARMUP_MILLIS);
            Thread pump = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("impair-relay-a2b")).findFirst().orElseThrow();
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            Map<String, Long> kernelBefore = RelayLab.udpCounters(lab.relayNamespace());
            DirectionStats relayBefore = relay.stats().total(Direction.A_TO_B);
            long sentBefore = sent.get();
            long receivedBefore = received.get();
            long allocatedBefore = threads.getThreadAllocatedBytes(pump.threadId());
            long start = System.nanoTime();
            Thread.sleep(MEASURE_MILLIS);
            double seconds = (System.nanoTime() - start) / 1e9;
            long allocated = threads.getThreadAllocatedBytes(pump.threadId()) - allocatedBefore;
            DirectionStats relayDelta = relay.stats().total(Direction.A_TO_B).minus(relayBefore);
            long sentDelta = sent.get() - sentBefore;
            long receivedDelta = received.get() - receivedBefore;
            Map<String, Long> kernelAfter = RelayLab.udpCounters(lab.relayNamespace());

            System.out.printf("%s, %d-byte datagrams A→B for %.1f s, offered %s:%n", profile, DATAGRAM_BYTES, seconds,
                    offeredGbit == 0 ? "as fast as A can send" : offeredGbit + " Gbit/s");
            System.out.printf("  sent by A      %9.0f pkt/s %6.2f Gbit/s%n", sentDelta / seconds, gbit(sentDelta, seconds));
            System.out.printf("  relay forward  %9.0f pkt/s %6.2f Gbit/s (lost %d, reordered %d, overflow %d,"
                            + " sendFailed %d)%n", relayDelta.forwardedPackets() / seconds,
                    gbit(relayDelta.forwardedPackets(), seconds), relayDelta.lost(), relayDelta.reordered(),
                    relayDelta.queueOverflow(), relayDelta.sendFailed());
            System.out.printf("  received by B  %9.0f pkt/s %6.2f Gbit/s%n", receivedDelta / seconds,
                    gbit(receivedDelta, seconds));
            System.out.printf("  kernel drops at R's sockets (RcvbufErrors) %d; relay thread allocated %d bytes"
                            + " (%.3f per datagram)%n", kernelAfter.get("RcvbufErrors") - kernelBefore.get("RcvbufErrors"),
                    allocated, (double) allocated / Math.max(1, relayDelta.handled()));

            assertTrue(relayDelta.forwardedPackets() > 0, "the relay forwarded nothing: " + relay.stats());
            assertTrue(allocated < relayDelta.handled() / 10, "the relay thread allocated " + allocated
                    + " bytes for " + relayDelta.handled() + " datagrams");
        } finally {
            send.interrupt();
            sender.close();
            receiver.close();
            send.join(5000);
            receive.join(5000);
        }
    }

    private static double gbit(long packets, double seconds) {
        return packets * DATAGRAM_BYTES * 8 / seconds / 1e9;
    }

    private static DatagramChannel open(Netns ns, String address) {
        try (NamespaceThread inside = NamespaceThread.enter(ns.name())) {
            return inside.call(() -> {
                DatagramChannel c = DatagramChannel.open();
                c.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
                c.setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
                c.bind(new InetSocketAddress(address, PORT));
                return c;
            });
        }
    }

    private static void blast(DatagramChannel channel, AtomicLong sent, double offeredGbit) {
        ByteBuffer datagram = ByteBuffer.allocateDirect(DATAGRAM_BYTES);
        long perMillisecond = offeredGbit == 0 ? Long.MAX_VALUE : Math.round(offeredGbit * 1e6 / 8 / DATAGRAM_BYTES);
        long start = System.nanoTime();
        long n = 0;
        try {
            while (channel.isOpen()) {
                datagram.clear();
                channel.write(datagram);
                sent.setRelease(++n);
                if (perMillisecond != Long.MAX_VALUE) {
                    long dueNanos = start + n * 1_000_000 / perMillisecond;
                    long aheadNanos = dueNanos - System.nanoTime();
                    if (aheadNanos > 200_000) {
                        java.util.concurrent.locks.LockSupport.parkNanos(aheadNanos);
                    }
                }
            }
        } catch (IOException e) {
            // closed at the end of the measurement
        }
    }

    private static void count(DatagramChannel channel, AtomicLong received) {
        ByteBuffer datagram = ByteBuffer.allocateDirect(65536);
        long n = 0;
        try {
            while (channel.isOpen()) {
                datagram.clear();
                channel.receive(datagram);
                received.setRelease(++n);
            }
        } catch (IOException e) {
            // closed at the end of the measurement
        }
    }
}
