package dev.braid.instance.offload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.braid.ecmp.NamespaceThread;
import dev.braid.ecmp.lab.Iperf3;
import dev.braid.ecmp.lab.Netns;
import dev.braid.instance.tun.TunDevice;

/**
 * The offload code against the real kernel. Topology (all namespaces made here):
 *
 * <pre>
 *  ns A (iperf3 client)          ns B (router)                          ns C (iperf3 server)
 *  offa0 10.77.1.1/24  ==wire==  offb0 10.77.1.2/24   vb 10.77.2.1/24 ---- vc 10.77.2.2/24
 *        fd77:1::1/64                  fd77:1::2/64      fd77:2::1/64        fd77:2::2/64
 * </pre>
 *
 * Both TUNs have IFF_VNET_HDR and TSO; {@link TunWire} (one thread of this JVM) reads super-packets
 * from one, segments them, coalesces the segments and writes them into the other. B forwards to C
 * over a veth whose transmit checksum offload is turned off, so B's kernel must finish every
 * coalesced super-packet's checksum in software from the pseudo-header sum we put in it, and C's TCP
 * verifies the result: C's InCsumErrors must stay 0 (and a run that damages every 20th super-packet's
 * partial sum shows that it would not). Reverse runs send data the other way, through the coalescer
 * towards A. Then the same runs per packet (offloads off, no coalescing) for comparison. Prints the
 * figures; asserts no timing, only that traffic flowed, super-packets were really read and written,
 * nothing was refused and no checksum was wrong.
 */
@Tag("netns")
class OffloadWireNetnsTest {
    private static final int SECONDS = 5;

    @TempDir
    Path dir;

    private final List<String> report = new ArrayList<>();

    @Test
    void userSpaceWireBetweenTwoVnetHeaderTunsCarriesTcp() throws Exception {
        Netns.sweepStale();
        Netns a = null;
        Netns b = null;
        Netns c = null;
        NamespaceThread inA = null;
        NamespaceThread inB = null;
        TunDevice tunA = null;
        TunDevice tunB = null;
        TunWire wire = null;
        try {
            a = Netns.create("ofa");
            b = Netns.create("ofb");
            c = Netns.create("ofc");
            inA = NamespaceThread.enter(a.name());
            inB = NamespaceThread.enter(b.name());
            tunA = inA.call(() -> TunDevice.open("offa0", true));
            tunB = inB.call(() -> TunDevice.open("offb0", true));
            int offloadsA = tunA.enableOffloads();
            int offloadsB = tunB.enableOffloads();
            assertEquals(10, tunA.vnetHeaderSize());
            report.add("offload flags taken: A 0x" + Integer.toHexString(offloadsA) + ", B 0x" + Integer.toHexString(offloadsB)
                    + (offloadsA == TunDevice.OFFLOADS_ALL ? " (TSO4/6 with ECN and USO)" : " (TSO without USO)"));

            a.ip("link", "set", "offa0", "up");
            a.ip("addr", "add", "10.77.1.1/24", "dev", "offa0");
            a.ip("-6", "addr", "add", "fd77:1::1/64", "dev", "offa0", "nodad");
            a.ip("route", "add", "10.77.2.0/24", "dev", "offa0");
            a.ip("-6", "route", "add", "fd77:2::/64", "dev", "offa0");
            b.ip("link", "set", "offb0", "up");
            b.ip("addr", "add", "10.77.1.2/24", "dev", "offb0");
            b.ip("-6", "addr", "add", "fd77:1::2/64", "dev", "offb0", "nodad");
            Netns.veth(b, "vb", c, "vc");
            b.ip("addr", "add", "10.77.2.1/24", "dev", "vb");
            b.ip("-6", "addr", "add", "fd77:2::1/64", "dev", "vb", "nodad");
            c.ip("addr", "add", "10.77.2.2/24", "dev", "vc");
            c.ip("-6", "addr", "add", "fd77:2::2/64", "dev", "vc", "nodad");
            c.ip("route", "add", "default", "via", "10.77.2.1");
            c.ip("-6", "route", "add", "default", "via", "fd77:2::1");
            b.sysctl("net.ipv4.ip_forward", "1");
            b.sysctl("net.ipv6.conf.all.forwarding", "1");
            boolean txChecksum = inB.call(() -> TxChecksumSwitch.set("vb", false));
            boolean softwareChecksums = !txChecksum;
            report.add(softwareChecksums ? "vb tx checksumming off: B finishes coalesced checksums in software, C verifies them"
                    : "could not turn vb tx checksumming off: checksum check skipped");

            wire = new TunWire(tunA, tunB);
            assertTrue(a.waitForPing("10.77.2.2", Duration.ofSeconds(10)), "A reaches C over the wire (IPv4)");
            assertTrue(a.waitForPing("fd77:2::2", Duration.ofSeconds(10)), "A reaches C over the wire (IPv6)");

            // with offloads
            long errorsBefore = csumErrors(c);
            Run v4 = run(wire, a, c, "10.77.2.2", 5301, SECONDS, false, "IPv4 offloads");
            Run v4reverse = run(wire, a, c, "10.77.2.2", 5302, 4, true, "IPv4 offloads, reverse");
            Run v6 = run(wire, a, c, "fd77:2::2", 5303, 4, false, "IPv6 offloads");
            Run v6reverse = run(wire, a, c, "fd77:2::2", 5304, 3, true, "IPv6 offloads, reverse");
            long errorsAfter = csumErrors(c);
            for (Run r : List.of(v4, v4reverse, v6, v6reverse)) {
                assertTrue(r.bitsPerSecond > 0, r.name + " carried data");
                assertEquals(0, r.both(TunWire.DROPS), r.name + " segmenter refusals: " + wire.drops());
                assertEquals(0, r.both(TunWire.WRITE_ERRORS), r.name + " TUN writes refused by the kernel");
                assertEquals(0, r.both(TunWire.CHECKSUM_FAILURES), r.name + " segments with bad checksums");
                assertTrue(r.data(TunWire.GSO_READS) > 0, r.name + " read TSO super-packets");
                assertTrue(r.data(TunWire.SUPER_WRITES) > 0, r.name + " wrote coalesced super-packets");
            }
            if (softwareChecksums) {
                assertEquals(errorsBefore, errorsAfter, "TCP checksum errors in C (software-finished partial sums)");
                wire.sabotageEvery(20);
                runQuietly(wire, a, c, "10.77.2.2", 5305, 2);
                wire.sabotageEvery(0);
                long sabotaged = wire.stat(TunWire.SABOTAGED);
                long errorsSabotaged = csumErrors(c);
                report.add("sabotage check: " + sabotaged + " super-packets damaged -> C counted "
                        + (errorsSabotaged - errorsAfter) + " TCP checksum errors");
                assertTrue(sabotaged > 0 && errorsSabotaged > errorsAfter, "a damaged partial sum is caught in C");
            }

            if ((offloadsA & TunDevice.OFFLOAD_USO4) != 0) {
                udpSegmentationOffload(wire, a, c);
            }

            // per packet: no TSO from the kernel, no coalescing by us
            tunA.setOffloadFlags(0);
            tunB.setOffloadFlags(0);
            wire.perPacket(true);
            Run v4plain = run(wire, a, c, "10.77.2.2", 5306, SECONDS, false, "IPv4 per packet");
            Run v4plainReverse = run(wire, a, c, "10.77.2.2", 5307, 4, true, "IPv4 per packet, reverse");
            for (Run r : List.of(v4plain, v4plainReverse)) {
                assertTrue(r.bitsPerSecond > 0, r.name + " carried data");
                assertEquals(0, r.both(TunWire.GSO_READS), r.name + ": no super-packets without offloads");
                assertEquals(0, r.both(TunWire.SUPER_WRITES), r.name + ": nothing coalesced");
            }
            assertNull(wire.failure(), "wire thread failure");
            report.add(String.format("IPv4 one stream A->C: offloads %.2f Gbit/s vs per packet %.2f Gbit/s (x%.1f)",
                    v4.bitsPerSecond / 1e9, v4plain.bitsPerSecond / 1e9, v4.bitsPerSecond / v4plain.bitsPerSecond));
            report.add(String.format("IPv4 one stream C->A: offloads %.2f Gbit/s vs per packet %.2f Gbit/s (x%.1f)",
                    v4reverse.bitsPerSecond / 1e9, v4plainReverse.bitsPerSecond / 1e9,
                    v4reverse.bitsPerSecond / v4plainReverse.bitsPerSecond));
        } finally {
            report.forEach(line -> System.out.println("[offload-wire] " + line));
            for (AutoCloseable resource : new AutoCloseable[] {wire, tunA, tunB, inA, inB, c, b, a}) {
                closeQuietly(resource);
            }
        }
    }

    /** Closes without letting a failure here hide the test's own failure. */
    private static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (Exception | Error e) {
            System.out.println("[offload-wire] closing " + resource + " failed: " + e);
        }
    }

    /** One iperf3 run: its throughput and the wire's statistics during it, data direction first. */
    private record Run(String name, double bitsPerSecond, long[] delta, int dataBase, int ackBase) {
        long data(int slot) {
            return delta[dataBase + slot];
        }

        long both(int slot) {
            return delta[dataBase + slot] + delta[ackBase + slot];
        }
    }

    private Run run(TunWire wire, Netns client, Netns server, String address, int port, int seconds, boolean reverse,
                    String name) throws Exception {
        Iperf3.server(server, address, port, dir.resolve("iperf3-" + port + ".log"));
        long[] before = wire.snapshot();
        String json = Iperf3.tcpClient(client, address, port, seconds, 1, reverse, null);
        long[] after = wire.snapshot();
        long[] delta = new long[after.length];
        for (int i = 0; i < after.length; i++) {
            delta[i] = after[i] - before[i];
        }
        JsonNode end = new ObjectMapper().readTree(json).path("end");
        double bps = end.path("sum_received").path("bits_per_second").asDouble();
        long retransmits = end.path("sum_sent").path("retransmits").asLong();
        // the client sends unless reversed; data then enters the wire at A
        Run r = reverse ? new Run(name, bps, delta, TunWire.B_TO_A, TunWire.A_TO_B)
                : new Run(name, bps, delta, TunWire.A_TO_B, TunWire.B_TO_A);
        long reads = r.data(TunWire.READS);
        long superWrites = r.data(TunWire.SUPER_WRITES);
        report.add(String.format("%-26s %5.2f Gbit/s, %6d retransmits | data: %7d reads (%6d TSO), avg read %4.1f KB = %4.1f"
                        + " segments; %7d writes (%6d coalesced, avg %4.1f segments each) | acks: %6d reads, %6d writes",
                name, bps / 1e9, retransmits, reads, r.data(TunWire.GSO_READS),
                reads == 0 ? 0 : r.data(TunWire.READ_BYTES) / 1024.0 / reads,
                reads == 0 ? 0 : (double) r.data(TunWire.SEGMENTS) / reads,
                r.data(TunWire.WRITES), superWrites,
                superWrites == 0 ? 0 : (double) r.data(TunWire.SEGMENTS_IN_SUPER) / superWrites,
                r.delta[r.ackBase + TunWire.READS], r.delta[r.ackBase + TunWire.WRITES]));
        return r;
    }

    /**
     * UDP GSO (USO): a sender in A hands the kernel 12000-byte writes with UDP_SEGMENT 1200; the TUN
     * passes them on as GSO_UDP_L4 super-packets, the wire cuts them into datagrams, and a receiver
     * in C checks every datagram that arrives (UDP may lose some; none may be damaged or resized).
     */
    private void udpSegmentationOffload(TunWire wire, Netns a, Netns c) throws Exception {
        String receiver = String.join("\n",
                "import socket",
                "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)",
                "r.bind(('10.77.2.2', 9000))",
                "r.settimeout(2)",
                "n = good = 0",
                "try:",
                "    while True:",
                "        d = r.recv(65535)",
                "        n += 1",
                "        good += len(d) == 1200 and d == bytes([d[0]]) * 1200",
                "except socket.timeout:",
                "    pass",
                "print(n, good, flush=True)");
        String sender = String.join("\n",
                "import socket, time",
                "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
                "s.setsockopt(17, 103, 1200)  # SOL_UDP, UDP_SEGMENT",
                "for i in range(50):",
                "    s.sendto(bytes([i]) * 12000, ('10.77.2.2', 9000))",
                "    time.sleep(0.002)");
        Path log = dir.resolve("udp-receiver.log");
        Process rx = c.start(List.of("python3", "-c", receiver), log);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (c.tryRun(Duration.ofSeconds(5), List.of("ss", "-Huln", "sport = :9000")).stdout().isBlank()) {
            assertTrue(System.nanoTime() < end, "UDP receiver did not bind");
            Netns.sleep(50);
        }
        long[] before = wire.snapshot();
        a.run(Duration.ofSeconds(20), List.of("python3", "-c", sender));
        assertTrue(rx.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "UDP receiver finished");
        long gsoReads = wire.snapshot()[TunWire.A_TO_B + TunWire.GSO_READS] - before[TunWire.A_TO_B + TunWire.GSO_READS];
        String[] counts = java.nio.file.Files.readString(log).trim().split("\\s+");
        long received = Long.parseLong(counts[0]);
        long intact = Long.parseLong(counts[1]);
        report.add("UDP GSO: 50 writes of 12000 bytes -> " + gsoReads + " GSO_UDP_L4 reads; C received " + received
                + " of 500 datagrams, " + intact + " intact");
        assertTrue(gsoReads > 0, "the TUN handed over UDP super-packets");
        assertTrue(received > 0, "datagrams arrived");
        assertEquals(received, intact, "every datagram that arrived is 1200 bytes of its one value");
    }

    /** A short run whose result does not matter (the sabotage run may lose its throughput to retransmits). */
    private void runQuietly(TunWire wire, Netns client, Netns server, String address, int port, int seconds) throws Exception {
        Iperf3.server(server, address, port, dir.resolve("iperf3-" + port + ".log"));
        try {
            Iperf3.tcpClient(client, address, port, seconds, 1, false, null);
        } catch (IllegalStateException e) {
            report.add("sabotage run ended badly, as it may: " + e.getMessage());
        }
    }

    /** TCP's InCsumErrors in the namespace (IPv4 and IPv6 share the counter). */
    private static long csumErrors(Netns ns) {
        String[] lines = ns.run("cat", "/proc/net/snmp").stdout().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                String[] names = lines[i].trim().split("\\s+");
                String[] values = lines[i + 1].trim().split("\\s+");
                for (int k = 0; k < names.length; k++) {
                    if (names[k].equals("InCsumErrors")) {
                        return Long.parseLong(values[k]);
                    }
                }
            }
        }
        throw new IllegalStateException("no Tcp InCsumErrors in /proc/net/snmp of " + ns);
    }
}
