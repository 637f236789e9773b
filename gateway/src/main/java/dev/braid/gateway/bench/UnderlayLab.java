package dev.braid.gateway.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.Netns;
import dev.braid.gateway.lab.SiteLab;

/**
 * Two namespaces and the underlay veth between them, addressed as SiteLab addresses its sites'
 * underlay (198.18.0.1/.2): the "no VPN" baseline, and the base the wireguard-go lab builds on.
 */
class UnderlayLab implements BenchLab {
    static final String UNDERLAY_IF_A = "ua";
    static final String UNDERLAY_IF_B = "ub";

    final Netns a;
    final Netns b;

    UnderlayLab(Netns a, Netns b) {
        this.a = a;
        this.b = b;
    }

    static UnderlayLab build(String tag) throws IOException {
        Netns.sweepStale();
        Netns a = Netns.create(tag + "a");
        Netns b;
        try {
            b = Netns.create(tag + "b");
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        UnderlayLab lab = new UnderlayLab(a, b);
        try {
            Netns.veth(a, UNDERLAY_IF_A, b, UNDERLAY_IF_B);
            a.ip("addr", "add", SiteLab.UNDERLAY_A + "/24", "dev", UNDERLAY_IF_A);
            b.ip("addr", "add", SiteLab.UNDERLAY_B + "/24", "dev", UNDERLAY_IF_B);
            if (!a.waitForPing(SiteLab.UNDERLAY_B, Duration.ofSeconds(10))) {
                throw new IOException("the underlay veth between " + a + " and " + b + " does not carry pings");
            }
            return lab;
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route("underlay", "underlay", a, SiteLab.UNDERLAY_A, b, SiteLab.UNDERLAY_B));
    }

    @Override
    public Map<String, List<Long>> tunnelPids() {
        return Map.of();
    }

    @Override
    public Map<String, Long> troubleCounters() {
        Map<String, Long> all = new java.util.LinkedHashMap<>(TroubleCounters.kernel(a, "a"));
        all.putAll(TroubleCounters.kernel(b, "b"));
        return all;
    }

    @Override
    public long[] pathBytes() {
        return new long[0];
    }

    @Override
    public ObjectNode setup() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("tunnel", "none (bare veth)");
        o.put("mtu", 1500);
        o.put("namespaces", a.name() + " " + b.name());
        return o;
    }

    @Override
    public void close() {
        b.close();
        a.close();
    }
}
