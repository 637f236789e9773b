package dev.braid.instance.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import dev.braid.ecmp.NamespaceThread;
import dev.braid.ecmp.lab.Netns;
import dev.braid.instance.tun.TunDevice;

/**
 * A persistent TUN keeps the offloads a reader with IFF_VNET_HDR turned on after that reader is gone
 * (checked on 6.18). A worker that later attaches without the header must not be handed GSO packets
 * it cannot recognise: {@link TunDevice#open} turns offloads off for such a reader. Shown with UDP
 * GSO: a 5000-byte UDP_SEGMENT write must reach the plain reader as 1028-byte datagrams.
 */
@Tag("netns")
class TunOffloadResetNetnsTest {
    @Test
    void plainReaderOfAPersistentTunGetsNoSuperPackets() throws Exception {
        Netns.sweepStale();
        try (Netns ns = Netns.create("ofr"); NamespaceThread in = NamespaceThread.enter(ns.name())) {
            in.call(() -> {
                TunDevice.createPersistent("offp0");
                return null;
            });
            try (TunDevice withHeader = in.call(() -> TunDevice.open("offp0", true))) {
                Assumptions.assumeTrue(withHeader.enableOffloads() == TunDevice.OFFLOADS_ALL, "kernel without USO");
            }
            try (TunDevice plain = in.call(() -> TunDevice.open("offp0", false))) {
                ns.ip("link", "set", "offp0", "up");
                ns.ip("addr", "add", "10.78.0.1/24", "dev", "offp0");
                ns.run(Duration.ofSeconds(20), List.of("python3", "-c", String.join("\n",
                        "import socket",
                        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                        "s.setsockopt(17, 103, 1000)  # SOL_UDP, UDP_SEGMENT",
                        "s.sendto(b'x' * 5000, ('10.78.0.2', 9))")));
                ByteBuffer buf = ByteBuffer.allocateDirect(70_000);
                int udpDatagrams = 0;
                int largest = 0;
                long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (udpDatagrams < 5 && System.nanoTime() < end) {
                    int n = plain.fd().read(buf, 0, buf.capacity());
                    if (n <= 0) {
                        Thread.sleep(10);
                        continue;
                    }
                    largest = Math.max(largest, n);
                    if ((buf.get(0) & 0xf0) == 0x40 && buf.get(9) == 17) {
                        udpDatagrams++;
                        assertEquals(20 + 8 + 1000, n, "one datagram per read, not a super-packet");
                    }
                }
                assertEquals(5, udpDatagrams, "the five datagrams of the UDP_SEGMENT write");
                assertTrue(largest <= 1500, "largest read " + largest);
            }
        }
    }
}
