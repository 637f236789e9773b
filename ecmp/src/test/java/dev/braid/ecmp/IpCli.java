package dev.braid.ecmp;

import dev.braid.ecmp.lab.Netns;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What iproute2 says about a lab namespace — the independent view the netns tests check Braid's
 * own dumps against. Parsing {@code ip} output is for tests only.
 */
final class IpCli {
    private IpCli() {
    }

    private static final Pattern ID = Pattern.compile("^id (\\d+) ");
    private static final Pattern GROUP = Pattern.compile(" group ([0-9/,]+)");
    private static final Pattern BUCKETS = Pattern.compile(" buckets (\\d+)");

    /** {@code ip nexthop show}: line per id. */
    static Map<Integer, String> nexthops(Netns ns) {
        Map<Integer, String> out = new LinkedHashMap<>();
        for (String line : ns.ip("nexthop", "show").stdout().split("\n")) {
            Matcher m = ID.matcher(line.strip());
            if (m.find()) {
                out.put(Integer.parseInt(m.group(1)), line.strip());
            }
        }
        return out;
    }

    /** Members of group {@code id} as {@code ip nexthop show} lists them; empty when there is no such group. */
    static List<Integer> groupMembers(Netns ns, int id) {
        String line = nexthops(ns).get(id);
        List<Integer> out = new ArrayList<>();
        if (line == null) {
            return out;
        }
        Matcher m = GROUP.matcher(line);
        if (m.find()) {
            for (String part : m.group(1).split("/")) {
                out.add(Integer.parseInt(part.split(",")[0]));
            }
        }
        return out;
    }

    static int buckets(Netns ns, int id) {
        Matcher m = BUCKETS.matcher(nexthops(ns).getOrDefault(id, ""));
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** Everything a Braid run may touch, as text: compared before and after a run. */
    static String state(Netns ns, Sysctl sysctl) {
        StringBuilder sb = new StringBuilder();
        sb.append("## links\n").append(ns.ip("-o", "link", "show").stdout());
        sb.append("## addresses\n").append(ns.ip("-o", "addr", "show").stdout());
        sb.append("## nexthops\n").append(ns.ip("nexthop", "show").stdout());
        sb.append("## routes\n").append(ns.ip("route", "show", "table", "all").stdout());
        sb.append("## routes6\n").append(ns.ip("-6", "route", "show", "table", "all").stdout());
        sb.append("## rules\n").append(ns.ip("rule", "show").stdout());
        sb.append("## rules6\n").append(ns.ip("-6", "rule", "show").stdout());
        sb.append("## sysctls\n");
        for (String key : SiteRouting.SYSCTLS.keySet()) {
            sb.append(key).append('=').append(sysctl.read(key).orElse("(absent)")).append('\n');
        }
        return sb.toString();
    }
}
