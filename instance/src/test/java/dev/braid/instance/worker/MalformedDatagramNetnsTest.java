package dev.braid.instance.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.ecmp.NamespaceThread;
import dev.braid.ecmp.lab.Await;
import dev.braid.instance.counters.Counter;

/**
 * Malformed datagrams sent over a real veth to a running worker process (its Netty loop, socket
 * and all), each kind alone, each counted under its reason while the tunnel keeps forwarding: a
 * zero-length datagram (Netty's recvmsg path hands it on; it is a bad_length drop), datagrams larger
 * than the veth's 1500-byte MTU (fragmented by the sender's kernel, reassembled by the worker's,
 * then cut to the worker's 2048-byte receive buffer: bad_length, and only the 2048 bytes it read
 * count in rx_udp_bytes), and wrong types (an unknown type, an initiation with a reserved byte set).
 */
@Tag("netns")
class MalformedDatagramNetnsTest {
    private static final Duration COUNTED_WITHIN = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private static List<String> flags(TwoSiteLab lab, boolean a) {
        List<String> f = new ArrayList<>(List.of("--listen-port", "" + TwoSiteLab.PORT,
                "--private-key", (a ? lab.keyA : lab.keyB).toString(),
                "--peer-public-key", a ? lab.publicB : lab.publicA,
                "--allowed-ips", (a ? TwoSiteLab.TUNNEL_B : TwoSiteLab.TUNNEL_A) + "/32"));
        if (a) {
            f.addAll(List.of("--endpoint", TwoSiteLab.UNDERLAY_B + ":" + TwoSiteLab.PORT));
        }
        return f;
    }

    @Test
    void malformedDatagramsAreCountedByReasonAndTheTunnelKeepsForwarding() throws Exception {
        try (TwoSiteLab lab = new TwoSiteLab(dir)) {
            TwoSiteLab.Worker b = lab.startWorker(lab.b, "bw0", TwoSiteLab.TUNNEL_B + "/30", flags(lab, false));
            lab.startWorker(lab.a, "bw0", TwoSiteLab.TUNNEL_A + "/30", flags(lab, true));
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(15)), "A -> B ping");

            try (NamespaceThread inA = NamespaceThread.enter(lab.a.name());
                 DatagramChannel sock = inA.call(DatagramChannel::open)) {
                InetSocketAddress target = new InetSocketAddress(TwoSiteLab.UNDERLAY_B, TwoSiteLab.PORT);

                assertCounted(b, sock, target, new byte[0], Counter.DROP_BAD_LENGTH, 0, "a zero-length datagram");
                for (int size : new int[] {4000, 65_507}) {
                    byte[] big = junk(size);
                    big[0] = 4; // a transport type: without the length check it would go on to the cipher
                    big[1] = 0;
                    big[2] = 0;
                    big[3] = 0;
                    // with offloads on (the default) the socket reads up to 64 KB at a time (GRO), so the
                    // worker reads the whole datagram and refuses it by its length
                    assertCounted(b, sock, target, big, Counter.DROP_BAD_LENGTH, size,
                            "a " + size + "-byte datagram (IP fragments, reassembled)");
                }
                byte[] unknownType = junk(148);
                unknownType[0] = 9;
                unknownType[1] = 0;
                unknownType[2] = 0;
                unknownType[3] = 0;
                assertCounted(b, sock, target, unknownType, Counter.DROP_BAD_TYPE, 148, "type 9");
                byte[] reserved = junk(148);
                reserved[0] = 1;
                reserved[1] = 0;
                reserved[2] = 1;
                reserved[3] = 0;
                assertCounted(b, sock, target, reserved, Counter.DROP_BAD_TYPE, 148, "an initiation with a reserved byte set");
            }
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(5)), "still forwarding afterwards");
            assertEquals(0, b.get(Counter.DROP_UDP_SEND_FAILED), "nothing was answered to the junk");
        }
    }

    /**
     * Sends one datagram and waits until the worker counted it under {@code reason}, with
     * {@code readBytes} more in rx_udp_bytes and no other drop counter moving.
     */
    private static void assertCounted(TwoSiteLab.Worker worker, DatagramChannel sock, InetSocketAddress target, byte[] datagram,
                                      Counter reason, int readBytes, String what) throws Exception {
        long drops = worker.drops();
        long counted = worker.get(reason);
        long rxUdpBytes = worker.get(Counter.RX_UDP_BYTES);
        assertEquals(datagram.length, sock.send(ByteBuffer.wrap(datagram), target), what + ": sent whole");
        boolean seen = Await.until(COUNTED_WITHIN, () -> worker.get(reason) == counted + 1);
        assertTrue(seen, what + " was not counted as " + reason.metricLabel() + " within " + COUNTED_WITHIN.toSeconds()
                + " s (drops moved by " + (worker.drops() - drops) + ")");
        assertEquals(drops + 1, worker.drops(), what + ": exactly one drop");
        // rx_udp_bytes may also count a keepalive of the peer's meanwhile: at least what the worker read of this one
        long rxDelta = worker.get(Counter.RX_UDP_BYTES) - rxUdpBytes;
        assertTrue(rxDelta >= readBytes && rxDelta < readBytes + 1000,
                what + ": rx_udp_bytes moved by " + rxDelta + ", expected " + readBytes + " (what the worker read of it)");
    }

    private static byte[] junk(int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return bytes;
    }
}
