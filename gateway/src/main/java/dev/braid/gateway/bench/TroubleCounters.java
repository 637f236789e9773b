package dev.braid.gateway.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Netns;

/**
 * Where packets were lost, counted by the kernel of a lab namespace: the UDP counters of
 * /proc/net/snmp (a socket buffer that overflowed: RcvbufErrors, SndbufErrors) and each link's
 * rx/tx "dropped" (a TUN whose queue was full, a veth that could not deliver). Read before and after
 * a measurement, the difference says which queue dropped what, which the tunnel's own counters
 * cannot see. Names are "SITE.WHAT", e.g. "a.udp.RcvbufErrors", "b.braid0.tx_dropped".
 */
public final class TroubleCounters {
    private static final List<String> UDP_FIELDS = List.of("InErrors", "RcvbufErrors", "SndbufErrors", "MemErrors");

    private TroubleCounters() {
    }

    /** The kernel's counters in {@code ns}, names prefixed with {@code site}. */
    public static Map<String, Long> kernel(Netns ns, String site) {
        Map<String, Long> out = new LinkedHashMap<>();
        Command.Result snmp = ns.tryRun(Duration.ofSeconds(10), List.of("cat", "/proc/net/snmp"));
        if (snmp.ok()) {
            udp(snmp.stdout()).forEach((k, v) -> out.put(site + ".udp." + k, v));
        }
        Command.Result links = Command.run(Duration.ofSeconds(10), List.of("ip", "-n", ns.name(), "-s", "-j", "link", "show"));
        if (links.ok()) {
            linkDrops(links.stdout()).forEach((k, v) -> out.put(site + "." + k, v));
        }
        return out;
    }

    /** The UDP error counters from /proc/net/snmp's two "Udp:" lines (names, then values). */
    static Map<String, Long> udp(String snmp) {
        return fields(snmp, "Udp:", UDP_FIELDS);
    }

    /**
     * The counters {@code names} from the first two lines starting with {@code prefix} (names, then
     * values), the layout of /proc/net/snmp and /proc/net/netstat.
     */
    public static Map<String, Long> fields(String text, String prefix, List<String> names) {
        Map<String, Long> out = new LinkedHashMap<>();
        List<String> lines = text.lines().filter(l -> l.startsWith(prefix)).toList();
        if (lines.size() < 2) {
            return out;
        }
        String[] keys = lines.get(0).substring(prefix.length()).trim().split("\\s+");
        String[] values = lines.get(1).substring(prefix.length()).trim().split("\\s+");
        for (int i = 0; i < Math.min(keys.length, values.length); i++) {
            if (names.contains(keys[i])) {
                out.put(keys[i], Long.parseLong(values[i]));
            }
        }
        return out;
    }

    /** IFNAME.rx_dropped / IFNAME.tx_dropped of every link but lo, from `ip -s -j link show`. */
    static Map<String, Long> linkDrops(String ipJson) {
        Map<String, Long> out = new LinkedHashMap<>();
        JsonNode links;
        try {
            links = Json.MAPPER.readTree(ipJson);
        } catch (Exception e) {
            return out;
        }
        for (JsonNode link : links) {
            String name = link.path("ifname").asText();
            if (name.isEmpty() || name.equals("lo")) {
                continue;
            }
            JsonNode stats = link.has("stats64") ? link.path("stats64") : link.path("stats");
            out.put(name + ".rx_dropped", stats.path("rx").path("dropped").asLong());
            out.put(name + ".tx_dropped", stats.path("tx").path("dropped").asLong());
        }
        return out;
    }

    /** after − before for every counter that changed (a counter that appeared counts from 0). */
    public static ObjectNode delta(Map<String, Long> before, Map<String, Long> after) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                o.put(k, d);
            }
        });
        return o;
    }
}
