package dev.braid.instance.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.ecmp.NamespaceThread;
import dev.braid.ecmp.lab.Await;
import dev.braid.ecmp.lab.PcapCapture;
import dev.braid.instance.counters.ControlCommand;
import dev.braid.instance.counters.Counter;

/**
 * Two Braid workers, each in its own namespace: ping, TCP both ways without stalls, rekeys forced
 * on either side, either side initiating; and bad input — a replayed captured packet, a truncated
 * one, one for an unknown index, ten thousand random datagrams — dropped, each counted under its
 * reason, while the tunnel keeps forwarding.
 */
@Tag("netns")
class BraidPairTest {
    @TempDir
    Path dir;

    private static List<String> flags(TwoSiteLab lab, boolean a, boolean withEndpoint) {
        List<String> f = new java.util.ArrayList<>(List.of("--listen-port", "" + TwoSiteLab.PORT,
                "--private-key", (a ? lab.keyA : lab.keyB).toString(),
                "--peer-public-key", a ? lab.publicB : lab.publicA,
                "--allowed-ips", (a ? TwoSiteLab.TUNNEL_B : TwoSiteLab.TUNNEL_A) + "/32"));
        if (withEndpoint) {
            f.addAll(List.of("--endpoint", (a ? TwoSiteLab.UNDERLAY_B : TwoSiteLab.UNDERLAY_A) + ":" + TwoSiteLab.PORT));
        }
        return f;
    }

    @Test
    void carriesTrafficBothWaysAndRekeysFromEitherSide() throws Exception {
        try (TwoSiteLab lab = new TwoSiteLab(dir)) {
            TwoSiteLab.Worker b = lab.startWorker(lab.b, "bw0", TwoSiteLab.TUNNEL_B + "/30", flags(lab, false, false));
            TwoSiteLab.Worker a = lab.startWorker(lab.a, "bw0", TwoSiteLab.TUNNEL_A + "/30", flags(lab, true, true));
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(15)), "A -> B ping");
            assertTrue(lab.b.waitForPing(TwoSiteLab.TUNNEL_A, Duration.ofSeconds(5)), "B -> A ping");
            assertEquals(1, a.get(Counter.HANDSHAKE_ROLE));
            assertEquals(2, b.get(Counter.HANDSHAKE_ROLE));

            WireGuardGoInteropTest.assertNoStalls(lab, 30, false);
            WireGuardGoInteropTest.assertNoStalls(lab, 30, true);

            // the responder side forces a rekey: roles swap, and nothing fails to decrypt on the way
            long completedA = a.get(Counter.HANDSHAKES_COMPLETED);
            assertTrue(b.counters().offer(ControlCommand.REKEY));
            assertTrue(Await.until(Duration.ofSeconds(10), () -> b.get(Counter.HANDSHAKE_ROLE) == 1
                    && a.get(Counter.HANDSHAKES_COMPLETED) > completedA), "B-initiated rekey completed");
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(5)));
            long completedB = b.get(Counter.HANDSHAKES_COMPLETED);
            assertTrue(a.counters().offer(ControlCommand.REKEY));
            assertTrue(Await.until(Duration.ofSeconds(10), () -> a.get(Counter.HANDSHAKE_ROLE) == 1
                    && b.get(Counter.HANDSHAKES_COMPLETED) > completedB), "A-initiated rekey completed");
            assertTrue(lab.b.waitForPing(TwoSiteLab.TUNNEL_A, Duration.ofSeconds(5)));
            assertEquals(0, a.get(Counter.DROP_DECRYPT_FAILED) + b.get(Counter.DROP_DECRYPT_FAILED));
            assertTrue(a.get(Counter.RX_BYTES) > 100_000_000L && b.get(Counter.RX_BYTES) > 100_000_000L);
        }
    }

    @Test
    void dropsBadInputByReasonAndKeepsForwarding() throws Exception {
        try (TwoSiteLab lab = new TwoSiteLab(dir)) {
            TwoSiteLab.Worker b = lab.startWorker(lab.b, "bw0", TwoSiteLab.TUNNEL_B + "/30", flags(lab, false, false));
            TwoSiteLab.Worker a = lab.startWorker(lab.a, "bw0", TwoSiteLab.TUNNEL_A + "/30", flags(lab, true, true));
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(15)), "A -> B ping");

            // capture a real transport packet (a ping of 200 bytes) on its way to B
            Path pcap = dir.resolve("capture.pcap");
            Process tcpdump = PcapCapture.start(lab.b, "ub", "udp dst port " + TwoSiteLab.PORT + " and greater 200",
                    1, pcap, dir.resolve("tcpdump.log"));
            lab.a.run("ping", "-c", "1", "-W", "2", "-s", "200", TwoSiteLab.TUNNEL_B);
            assertTrue(tcpdump.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "tcpdump captured the ping");
            byte[] captured = PcapCapture.udpPayloads(pcap).getFirst();
            assertEquals(4, captured[0], "a transport data message");
            assertFalse(containsIcmpEchoPattern(captured), "the wire carries ciphertext, not the ping payload");

            try (NamespaceThread inA = NamespaceThread.enter(lab.a.name());
                 DatagramChannel sock = inA.call(DatagramChannel::open)) {
                InetSocketAddress target = new InetSocketAddress(TwoSiteLab.UNDERLAY_B, TwoSiteLab.PORT);
                long replayed = b.get(Counter.DROP_REPLAYED_COUNTER);
                long badLength = b.get(Counter.DROP_BAD_LENGTH);
                long unknownIndex = b.get(Counter.DROP_UNKNOWN_RECEIVER_INDEX);

                sock.send(ByteBuffer.wrap(captured), target);
                assertTrue(Await.until(Duration.ofSeconds(5), () -> b.get(Counter.DROP_REPLAYED_COUNTER) == replayed + 1),
                        "replayed packet counted as replayed_counter");

                sock.send(ByteBuffer.wrap(captured, 0, 24), target);
                assertTrue(Await.until(Duration.ofSeconds(5), () -> b.get(Counter.DROP_BAD_LENGTH) == badLength + 1),
                        "truncated packet counted as bad_length");

                byte[] otherIndex = captured.clone();
                otherIndex[4] ^= 0x5a;
                otherIndex[7] ^= 0x33;
                sock.send(ByteBuffer.wrap(otherIndex), target);
                assertTrue(Await.until(Duration.ofSeconds(5),
                        () -> b.get(Counter.DROP_UNKNOWN_RECEIVER_INDEX) == unknownIndex + 1),
                        "packet for an unknown index counted as unknown_receiver_index");

                // ten thousand random datagrams, 1..1500 bytes, sent while pings keep flowing
                long dropsBefore = b.drops();
                long junkReasonsBefore = b.get(Counter.DROP_BAD_TYPE) + b.get(Counter.DROP_BAD_LENGTH);
                Random random = new Random(20261123L);
                Process pinger = lab.a.start(List.of("ping", "-i", "0.05", "-c", "100", "-W", "1", TwoSiteLab.TUNNEL_B),
                        dir.resolve("ping-during.log"));
                for (int i = 0; i < 10_000; i++) {
                    byte[] junk = new byte[1 + random.nextInt(1500)];
                    random.nextBytes(junk);
                    sock.send(ByteBuffer.wrap(junk), target);
                    if (i % 500 == 499) {
                        Thread.sleep(5); // stay within what a socket buffer holds; this is a robustness test, not a flood
                    }
                }
                // the socket's own overflow drops are read once a second: wait for the count to settle
                assertTrue(Await.until(Duration.ofSeconds(20), () -> b.drops() == dropsBefore + 10_000),
                        "every random datagram dropped and counted: " + (b.drops() - dropsBefore)
                                + " (socket overflow " + b.get(Counter.DROP_SOCKET_RECEIVE_OVERFLOW) + ")");
                assertEquals(junkReasonsBefore + 10_000 - b.get(Counter.DROP_SOCKET_RECEIVE_OVERFLOW),
                        b.get(Counter.DROP_BAD_TYPE) + b.get(Counter.DROP_BAD_LENGTH),
                        "random bytes fail the type (or, under four bytes, the length) check");
                pinger.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
                String pings = java.nio.file.Files.readString(dir.resolve("ping-during.log"));
                assertTrue(pings.contains(" 0% packet loss") || pings.matches("(?s).*, [0-4]% packet loss.*"),
                        "pings kept flowing during the junk: " + pings);
            }
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(5)), "still forwarding afterwards");
        }
    }

    private static boolean containsIcmpEchoPattern(byte[] payload) {
        // Linux ping fills its payload with 0x10, 0x11, 0x12, ... after the timestamp
        for (int i = 0; i + 8 <= payload.length; i++) {
            boolean run = true;
            for (int k = 1; k < 8 && run; k++) {
                run = (payload[i + k] & 0xff) == ((payload[i] & 0xff) + k);
            }
            if (run && (payload[i] & 0xff) >= 0x10 && (payload[i] & 0xff) < 0x30) {
                return true;
            }
        }
        return false;
    }
}
