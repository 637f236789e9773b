package dev.braid.instance.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.ecmp.lab.Await;
import dev.braid.ecmp.lab.Iperf3;
import dev.braid.ecmp.lab.WireGuardGo;
import dev.braid.instance.counters.ControlCommand;
import dev.braid.instance.counters.Counter;

/**
 * A Braid worker against stock wireguard-go (Debian's package), each in its own namespace, nothing
 * Braid-specific on the wire: ping both ways, iperf3 TCP both ways without a stalled second, a
 * rekey forced on each side, with Braid as initiator and as responder.
 */
@Tag("netns")
class WireGuardGoInteropTest {
    @TempDir
    Path dir;

    @Test
    void braidInitiatesAndCarriesTcpBothWaysWithoutStalls() throws Exception {
        try (TwoSiteLab lab = new TwoSiteLab(dir)) {
            WireGuardGo wg = startWireGuardGo(lab, false);
            TwoSiteLab.Worker braid = lab.startWorker(lab.a, "bw0", TwoSiteLab.TUNNEL_A + "/30", List.of(
                    "--listen-port", "" + TwoSiteLab.PORT, "--private-key", lab.keyA.toString(),
                    "--peer-public-key", lab.publicB, "--endpoint", TwoSiteLab.UNDERLAY_B + ":" + TwoSiteLab.PORT,
                    "--allowed-ips", TwoSiteLab.TUNNEL_B + "/32"));

            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(15)), "Braid -> wireguard-go ping");
            assertTrue(lab.b.waitForPing(TwoSiteLab.TUNNEL_A, Duration.ofSeconds(5)), "wireguard-go -> Braid ping");
            assertEquals(1, braid.get(Counter.HANDSHAKE_ROLE), "Braid started the session");

            assertNoStalls(lab, 30, false);
            assertNoStalls(lab, 30, true);

            // forced rekey from the Braid side: a new handshake completes, wireguard-go sees it, traffic goes on
            long completed = braid.get(Counter.HANDSHAKES_COMPLETED);
            long wgBefore = wg.latestHandshakeEpochSeconds();
            Thread.sleep(1100); // wg reports whole seconds
            assertTrue(braid.counters().offer(ControlCommand.REKEY));
            assertTrue(Await.until(Duration.ofSeconds(10), () -> braid.get(Counter.HANDSHAKES_COMPLETED) > completed),
                    "forced rekey completed");
            assertTrue(Await.until(Duration.ofSeconds(5), () -> wg.latestHandshakeEpochSeconds() > wgBefore),
                    "wireguard-go saw the new handshake");
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(5)), "ping after rekey");
            assertEquals(0, braid.get(Counter.DROP_DECRYPT_FAILED));
        }
    }

    @Test
    void braidRespondsAndFollowsAHandshakeStartedByWireGuardGo() throws Exception {
        try (TwoSiteLab lab = new TwoSiteLab(dir)) {
            TwoSiteLab.Worker braid = lab.startWorker(lab.a, "bw0", TwoSiteLab.TUNNEL_A + "/30", List.of(
                    "--listen-port", "" + TwoSiteLab.PORT, "--private-key", lab.keyA.toString(),
                    "--peer-public-key", lab.publicB, "--allowed-ips", TwoSiteLab.TUNNEL_B + "/32"));
            WireGuardGo wg = startWireGuardGo(lab, true);

            assertTrue(lab.b.waitForPing(TwoSiteLab.TUNNEL_A, Duration.ofSeconds(15)), "wireguard-go -> Braid ping");
            assertTrue(lab.a.waitForPing(TwoSiteLab.TUNNEL_B, Duration.ofSeconds(5)), "Braid -> wireguard-go ping");
            assertEquals(2, braid.get(Counter.HANDSHAKE_ROLE), "wireguard-go started the session");
            assertTrue(braid.get(Counter.ENDPOINT_PORT) == TwoSiteLab.PORT, "Braid learned its endpoint from the peer");

            assertNoStalls(lab, 10, false);
            assertNoStalls(lab, 10, true);

            // a rekey forced on the wireguard-go side: remove and re-add the peer, then send
            long completed = braid.get(Counter.HANDSHAKES_COMPLETED);
            wg.set("peer", lab.publicA, "remove");
            configurePeer(lab, wg, true);
            assertTrue(lab.b.waitForPing(TwoSiteLab.TUNNEL_A, Duration.ofSeconds(15)), "ping after wireguard-go rekeyed");
            assertTrue(braid.get(Counter.HANDSHAKES_COMPLETED) > completed, "Braid answered the new handshake");
            assertEquals(2, braid.get(Counter.HANDSHAKE_ROLE));
        }
    }

    private WireGuardGo startWireGuardGo(TwoSiteLab lab, boolean withEndpoint) throws Exception {
        WireGuardGo wg = WireGuardGo.start(lab.b, dir.resolve("wireguard-go.log"));
        wg.set("private-key", lab.keyB.toString(), "listen-port", "" + TwoSiteLab.PORT);
        configurePeer(lab, wg, withEndpoint);
        lab.b.ip("addr", "add", TwoSiteLab.TUNNEL_B + "/30", "dev", wg.ifname());
        lab.b.ip("link", "set", wg.ifname(), "up");
        return wg;
    }

    private static void configurePeer(TwoSiteLab lab, WireGuardGo wg, boolean withEndpoint) {
        if (withEndpoint) {
            wg.set("peer", lab.publicA, "allowed-ips", TwoSiteLab.TUNNEL_A + "/32",
                    "endpoint", TwoSiteLab.UNDERLAY_A + ":" + TwoSiteLab.PORT);
        } else {
            wg.set("peer", lab.publicA, "allowed-ips", TwoSiteLab.TUNNEL_A + "/32");
        }
    }

    /** iperf3 TCP from A to B (or B to A with reverse) for {@code seconds}: every second moves data. */
    static void assertNoStalls(TwoSiteLab lab, int seconds, boolean reverse) throws Exception {
        Iperf3.server(lab.b, TwoSiteLab.TUNNEL_B, 5201, lab.dir.resolve("iperf3-server.log"));
        String json = Iperf3.tcpClient(lab.a, TwoSiteLab.TUNNEL_B, 5201, seconds, 2, reverse, null);
        List<Double> perSecond = TwoSiteLab.intervals(json);
        assertTrue(perSecond.size() >= seconds, "an interval per second: " + perSecond);
        for (int i = 0; i < perSecond.size(); i++) {
            assertTrue(perSecond.get(i) > 1e6, (reverse ? "B->A" : "A->B") + " second " + i + " stalled: " + perSecond);
        }
        System.out.printf("iperf3 %s %d s: %.0f Mbit/s%n", reverse ? "B->A" : "A->B", seconds,
                TwoSiteLab.receivedBitsPerSecond(json) / 1e6);
    }
}
