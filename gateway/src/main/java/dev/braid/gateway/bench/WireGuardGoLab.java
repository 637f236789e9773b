package dev.braid.gateway.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.WireGuardGo;
import dev.braid.gateway.lab.LabKey;
import dev.braid.gateway.lab.SiteLab;

/**
 * The peer Braid is measured against: Debian's stock wireguard-go on both ends of the same underlay
 * veth, configured with `wg set` as an operator would, tunnel addresses on a /30 and wireguard-go's
 * default MTU (1420). It runs unpinned, with as many threads as it likes.
 */
final class WireGuardGoLab extends UnderlayLab {
    static final String TUNNEL_A = "10.14.0.1";
    static final String TUNNEL_B = "10.14.0.2";
    static final int MTU_BYTES = 1420;
    static final int PORT = SiteLab.BASE_PORT;

    private final String ifA;
    private final String ifB;

    private WireGuardGoLab(UnderlayLab underlay, String ifA, String ifB) {
        super(underlay.a, underlay.b);
        this.ifA = ifA;
        this.ifB = ifB;
    }

    static WireGuardGoLab build(Path dir) throws IOException {
        UnderlayLab underlay = UnderlayLab.build("wg");
        try {
            SecureRandom random = new SecureRandom();
            LabKey keyA = LabKey.create(dir.resolve("wg-a.key"), random);
            LabKey keyB = LabKey.create(dir.resolve("wg-b.key"), random);

            WireGuardGo wgA = WireGuardGo.start(underlay.a, dir.resolve("wireguard-go-a.log"));
            WireGuardGo wgB = WireGuardGo.start(underlay.b, dir.resolve("wireguard-go-b.log"));
            wgA.set("private-key", keyA.file().toString(), "listen-port", Integer.toString(PORT),
                    "peer", keyB.publicKey(), "allowed-ips", TUNNEL_B + "/32", "endpoint", SiteLab.UNDERLAY_B + ":" + PORT);
            wgB.set("private-key", keyB.file().toString(), "listen-port", Integer.toString(PORT),
                    "peer", keyA.publicKey(), "allowed-ips", TUNNEL_A + "/32", "endpoint", SiteLab.UNDERLAY_A + ":" + PORT);
            underlay.a.ip("addr", "add", TUNNEL_A + "/30", "dev", wgA.ifname());
            underlay.b.ip("addr", "add", TUNNEL_B + "/30", "dev", wgB.ifname());
            underlay.a.ip("link", "set", wgA.ifname(), "mtu", Integer.toString(MTU_BYTES), "up");
            underlay.b.ip("link", "set", wgB.ifname(), "mtu", Integer.toString(MTU_BYTES), "up");
            WireGuardGoLab lab = new WireGuardGoLab(underlay, wgA.ifname(), wgB.ifname());
            if (!underlay.a.waitForPing(TUNNEL_B, Duration.ofSeconds(15), "-I", TUNNEL_A)) {
                throw new IOException("the wireguard-go tunnel " + TUNNEL_A + " -> " + TUNNEL_B
                        + " does not carry pings within 15 s (see " + dir + "/wireguard-go-*.log)");
            }
            return lab;
        } catch (IOException | RuntimeException e) {
            underlay.close();
            throw e;
        }
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route("wireguard-go", "wireguard-go", a, TUNNEL_A, b, TUNNEL_B));
    }

    @Override
    public Map<String, List<Long>> tunnelPids() {
        Map<String, List<Long>> pids = new LinkedHashMap<>();
        pids.put("a", BenchLab.pidsNamed(a, "wireguard-go"));
        pids.put("b", BenchLab.pidsNamed(b, "wireguard-go"));
        return pids;
    }

    @Override
    public ObjectNode setup() {
        ObjectNode o = super.setup();
        o.put("tunnel", "wireguard-go (Debian package), one interface per namespace: " + ifA + ", " + ifB);
        o.put("mtu", MTU_BYTES);
        return o;
    }
}
