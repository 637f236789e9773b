package dev.braid.gateway.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.braid.ecmp.lab.Await;
import dev.braid.ecmp.lab.Iperf3;
import dev.braid.ecmp.lab.Netns;
import dev.braid.instance.counters.Counter;

/**
 * The product's core promise, end to end: two sites × 2 workers in namespaces, each a real `braid
 * run`; 16 TCP flows between the floating addresses spread over both paths; routes through a
 * resilient nexthop group; ping floating ↔ floating and LAN ↔ LAN; and after SIGTERM — or after a
 * kill -9 of a supervisor followed by a restart and a stop — no link, address, nexthop, route, rule
 * or sysctl Braid added is left. ICMP takes one path both ways.
 */
@Tag("netns")
class TwoSiteEcmpTest {
    @TempDir
    Path dir;

    @Test
    void sixteenFlowsSpreadOverBothPathsAndNothingIsLeftBehind() throws Exception {
        try (SiteLab lab = SiteLab.build(dir, SiteLab.Options.workers(2))) {
            Map<String, String> beforeA = kernelState(lab.a.ns);
            Map<String, String> beforeB = kernelState(lab.b.ns);

            lab.startSupervisors();
            assertTrue(lab.awaitSessions(Duration.ofSeconds(30)), () -> "paths up\n" + logs(lab));

            // the routes go through a resilient group of both paths, with the floating source
            String route = lab.a.ns.ip("route", "show", SiteLab.FLOATING_B + "/32").stdout();
            assertTrue(route.contains("nhid 518200") && route.contains("src " + SiteLab.FLOATING_A), route);
            assertTrue(lab.a.ns.ip("route", "show", "192.168.20.0/24").stdout().contains("nhid 518200"));
            assertTrue(Await.until(Duration.ofSeconds(10),
                    () -> groupOf(lab.a.ns).contains("group 518201/518202") && groupOf(lab.b.ns).contains("group 518201/518202")),
                    () -> "both paths in both groups: " + groupOf(lab.a.ns) + " / " + groupOf(lab.b.ns));
            assertTrue(groupOf(lab.a.ns).contains("type resilient"), groupOf(lab.a.ns));
            assertEquals("1", lab.a.ns.run("sysctl", "-n", "net.ipv4.fib_multipath_hash_policy").stdout().strip());

            // floating to floating, and LAN host to LAN host through both gateways
            assertTrue(lab.a.ns.waitForPing(SiteLab.FLOATING_B, Duration.ofSeconds(10), "-I", SiteLab.FLOATING_A));
            assertTrue(lab.b.ns.waitForPing(SiteLab.FLOATING_A, Duration.ofSeconds(10), "-I", SiteLab.FLOATING_B));
            assertTrue(lab.a.lan.waitForPing(SiteLab.LAN_HOST_B, Duration.ofSeconds(10)), "LAN A -> LAN B");
            assertTrue(lab.b.lan.waitForPing(SiteLab.LAN_HOST_A, Duration.ofSeconds(10)), "LAN B -> LAN A");

            // ICMP goes over the lowest live path both ways (Braid's ICMP rule and table): without them the
            // kernel hashes an echo request and its reply apart, and one ping crosses both worker pairs
            assertTrue(lab.a.ns.ip("rule", "show").stdout().contains("ipproto icmp lookup 2518200 proto 98"),
                    lab.a.ns.ip("rule", "show").stdout());
            for (String[] ping : List.of(new String[] {SiteLab.FLOATING_A, SiteLab.FLOATING_B},
                    new String[] {"192.168.10.1", SiteLab.FLOATING_B}, new String[] {SiteLab.FLOATING_A, "192.168.20.1"})) {
                long[] tx = tunPackets(lab.a.ns, "tx");
                long[] rx = tunPackets(lab.a.ns, "rx");
                lab.a.ns.run("ping", "-q", "-n", "-c", "10", "-i", "0.05", "-W", "1", "-I", ping[0], ping[1]);
                long[] txAfter = tunPackets(lab.a.ns, "tx");
                long[] rxAfter = tunPackets(lab.a.ns, "rx");
                String seen = ping[0] + " -> " + ping[1] + ": requests into braid0/braid1 " + (txAfter[0] - tx[0]) + "/"
                        + (txAfter[1] - tx[1]) + ", replies out of braid0/braid1 " + (rxAfter[0] - rx[0]) + "/" + (rxAfter[1] - rx[1]);
                System.out.println(seen);
                assertTrue(txAfter[0] - tx[0] >= 10 && rxAfter[0] - rx[0] >= 10, seen);
                assertTrue(txAfter[1] - tx[1] <= 2 && rxAfter[1] - rx[1] <= 2, seen);
            }

            // 16 flows between the floating addresses: every path carries at least 15 % of the bytes
            long[] before = lab.perWorker(lab.a, Counter.TX_BYTES);
            Iperf3.server(lab.b.ns, SiteLab.FLOATING_B, 5201, dir.resolve("iperf3.log"));
            String json = Iperf3.tcpClient(lab.a.ns, SiteLab.FLOATING_B, 5201, 10, 16, false, SiteLab.FLOATING_A);
            long[] after = lab.perWorker(lab.a, Counter.TX_BYTES);
            long total = (after[0] - before[0]) + (after[1] - before[1]);
            double received = new ObjectMapper().readTree(json).path("end").path("sum_received").path("bytes").asDouble();
            System.out.printf("16 flows: %.0f Mbit/s; path shares %.1f %% / %.1f %%%n",
                    new ObjectMapper().readTree(json).path("end").path("sum_received").path("bits_per_second").asDouble() / 1e6,
                    100.0 * (after[0] - before[0]) / total, 100.0 * (after[1] - before[1]) / total);
            assertTrue(total >= received, "the workers carried at least what iperf3 received");
            for (int i = 0; i < 2; i++) {
                assertTrue((after[i] - before[i]) >= 0.15 * total, "path " + i + " carried "
                        + (after[i] - before[i]) + " of " + total + " bytes");
            }

            // SIGTERM: site A removes everything it added
            assertEquals(0, lab.stopSupervisor(lab.a, Duration.ofSeconds(20)), () -> logs(lab));
            assertEquals(beforeA, kernelState(lab.a.ns), "site A after SIGTERM");
            assertFalse(Files.exists(lab.a.stateDir), "state directory removed");

            // kill -9 of site B's supervisor: its workers follow; a restart cleans up and runs again
            lab.b.supervisor().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            assertTrue(Await.until(Duration.ofSeconds(10), () -> lab.b.ns.pids().isEmpty()),
                    "workers of a killed supervisor exit by themselves");
            assertTrue(Files.exists(lab.b.stateDir.resolve("changes.journal")), "the killed run left its journal");
            lab.startSupervisor(lab.b);
            lab.startSupervisor(lab.a);
            assertTrue(lab.awaitSessions(Duration.ofSeconds(30)), () -> "paths up after the restart\n" + logs(lab));
            assertTrue(lab.a.ns.waitForPing(SiteLab.FLOATING_B, Duration.ofSeconds(10), "-I", SiteLab.FLOATING_A));
            String links = lab.b.ns.ip("-o", "link", "show").stdout();
            assertEquals(2, links.lines().filter(l -> l.contains(": braid")).count(), "no duplicate TUNs: " + links);
            assertEquals(0, lab.stopSupervisor(lab.b, Duration.ofSeconds(20)), () -> logs(lab));
            assertEquals(0, lab.stopSupervisor(lab.a, Duration.ofSeconds(20)), () -> logs(lab));
            assertEquals(beforeB, kernelState(lab.b.ns), "site B after kill -9, restart and stop");
            assertEquals(beforeA, kernelState(lab.a.ns), "site A after its second run");
        }
    }

    /** The kernel's packet counters of site's braid0 and braid1 ("tx": into the worker, "rx": out of it). */
    private static long[] tunPackets(Netns ns, String direction) {
        long[] out = new long[2];
        for (int i = 0; i < 2; i++) {
            out[i] = Long.parseLong(ns.run("cat", "/sys/class/net/braid" + i + "/statistics/" + direction + "_packets")
                    .stdout().strip());
        }
        return out;
    }

    private static String groupOf(Netns ns) {
        return ns.tryRun(Duration.ofSeconds(5), List.of("ip", "nexthop", "show", "id", "518200")).stdout();
    }

    /** What Braid may touch in a namespace, as text to compare before and after. */
    static Map<String, String> kernelState(Netns ns) {
        Map<String, String> state = new LinkedHashMap<>();
        state.put("links", ns.ip("-o", "link", "show").stdout().replaceAll("qlen \\d+", ""));
        state.put("addresses", ns.ip("-o", "addr", "show").stdout().replaceAll("valid_lft \\S+ preferred_lft \\S+", ""));
        state.put("nexthops", ns.ip("nexthop", "show").stdout());
        state.put("routes4", ns.ip("route", "show", "table", "all").stdout());
        state.put("routes6", ns.ip("-6", "route", "show", "table", "all").stdout());
        state.put("rules4", ns.ip("rule", "show").stdout());
        state.put("rules6", ns.ip("-6", "rule", "show").stdout());
        for (String key : List.of("net.ipv4.ip_forward", "net.ipv4.fib_multipath_hash_policy",
                "net.ipv6.fib_multipath_hash_policy", "net.ipv4.conf.all.ignore_routes_with_linkdown",
                "net.ipv6.conf.all.ignore_routes_with_linkdown")) {
            state.put(key, ns.run("sysctl", "-n", key).stdout().strip());
        }
        return state;
    }

    private static String logs(SiteLab lab) {
        return "--- site A\n" + SiteLab.tail(lab.a.log(), 30) + "\n--- site B\n" + SiteLab.tail(lab.b.log(), 30);
    }
}
