package dev.braid.gateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The result of a bench run in its two forms. The file: one JSON envelope {@code {"status": "ok" |
 * "failed", "data": {...}, "meta": {...}}} — data.scenarios maps each scenario to its status,
 * attempts, setup and rows (one row per route measured), data.ratios holds every row against
 * wireguard-go's, data.floating_penalty the floating-vs-link comparison. The terminal: a table
 * with one row per measured route, the ratios, the penalty, path shares and notes — rendered from
 * the envelope alone, so `braid bench --show FILE` prints the same table for an old file.
 */
public final class BenchReport {
    static final String REFERENCE = Scenario.WIREGUARD_GO;

    private BenchReport() {
    }

    public static ObjectNode envelope(String status, ObjectNode data, ObjectNode meta) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("status", status);
        o.set("data", data);
        o.set("meta", meta);
        return o;
    }

    /** One measured route: where it sits in the data, and its figures. */
    record Row(String scenario, String key, String label, JsonNode figures) {
    }

    static List<Row> rows(JsonNode scenarios) {
        List<Row> rows = new ArrayList<>();
        for (var s : scenarios.properties()) {
            for (var r : s.getValue().path("rows").properties()) {
                rows.add(new Row(s.getKey(), r.getKey(), r.getValue().path("label").asText(r.getKey()), r.getValue()));
            }
        }
        return rows;
    }

    static String tcpKey(int streams) {
        return "tcp_" + streams;
    }

    /** Every row's throughput, CPU and RTT against the wireguard-go row (absent if it did not run). */
    static ObjectNode ratios(JsonNode scenarios, int streams) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        out.put("reference", REFERENCE);
        Row ref = rows(scenarios).stream().filter(r -> r.scenario().equals(REFERENCE)).findFirst().orElse(null);
        ObjectNode rows = out.putObject("rows");
        if (ref == null) {
            return out;
        }
        for (Row r : rows(scenarios)) {
            if (r.scenario().equals(ref.scenario()) && r.key().equals(ref.key())) {
                continue;
            }
            ObjectNode o = rows.putObject(r.label());
            Json.put(o, "tcp_1", ratio(r, ref, "tcp_1.bits_per_second"));
            Json.put(o, tcpKey(streams), ratio(r, ref, tcpKey(streams) + ".bits_per_second"));
            Json.put(o, "udp", ratio(r, ref, "udp.bits_per_second"));
            Json.put(o, "cpu_s_per_gb", ratio(r, ref, "cpu.cpu_s_per_gb"));
            Json.put(o, "box_cpu_s_per_gb", ratio(r, ref, "cpu.box_cpu_s_per_gb"));
            Json.put(o, "rtt_idle_p50", ratio(r, ref, "ping_idle.rtt_ms.p50"));
            Json.put(o, "rtt_load_p50", ratio(r, ref, "ping_load.rtt_ms.p50"));
        }
        return out;
    }

    private static double ratio(Row row, Row ref, String path) {
        double a = Json.number(row.figures(), path);
        double b = Json.number(ref.figures(), path);
        return b == 0 ? Double.NaN : a / b;
    }

    /**
     * The floating-penalty scenario's two routes compared: percent change from link to floating.
     * For TCP, when the scenario holds back-to-back pairs (every round's), the change is the median
     * of the pairs' changes, with p25/p75 and the pair count beside it: the two routes differ by
     * less than one run's noise, so a figure from one pair per round would mostly be noise. Older
     * files without pairs, UDP, RTT and CPU: the change between the rows' (median) figures.
     */
    static ObjectNode floatingPenalty(JsonNode scenarios, int streams) {
        JsonNode scenario = scenarios.path(Scenario.FLOATING_PENALTY);
        JsonNode rows = scenario.path("rows");
        if (!rows.has("link") || !rows.has("floating")) {
            return null;
        }
        JsonNode link = rows.get("link");
        JsonNode floating = rows.get("floating");
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("compares", "braid-1 between the floating addresses vs straight between worker 0's /30 link ends, same lab");
        for (String key : List.of("tcp_1", tcpKey(streams))) {
            List<Double> changes = new ArrayList<>();
            for (JsonNode pair : scenario.path("pairs")) {
                double from = Json.number(pair, "bits_per_second.link");
                double to = Json.number(pair, "bits_per_second.floating");
                if (key.equals(pair.path("test").asText()) && !pair.has("error") && from > 0 && Double.isFinite(to)) {
                    changes.add(100.0 * (to - from) / from);
                }
            }
            double ofRows = change(link, floating, key + ".bits_per_second");
            if (changes.isEmpty()) {
                Json.put(o, key + "_change_percent", ofRows);
            } else {
                Stats.Summary summary = Stats.of(changes);
                Json.put(o, key + "_change_percent", summary.p50());
                Json.put(o, key + "_change_percent_p25", summary.p25());
                Json.put(o, key + "_change_percent_p75", summary.p75());
                o.put(key + "_pairs", summary.count());
                Json.put(o, key + "_change_percent_of_row_medians", ofRows);
            }
        }
        Json.put(o, "udp_change_percent", change(link, floating, "udp.bits_per_second"));
        Json.put(o, "rtt_idle_p50_change_ms", Json.number(floating, "ping_idle.rtt_ms.p50") - Json.number(link, "ping_idle.rtt_ms.p50"));
        Json.put(o, "cpu_s_per_gb_change_percent", change(link, floating, "cpu.cpu_s_per_gb"));
        return o;
    }

    private static double change(JsonNode from, JsonNode to, String path) {
        double a = Json.number(from, path);
        double b = Json.number(to, path);
        return a == 0 ? Double.NaN : 100.0 * (b - a) / a;
    }

    /** The whole terminal report for an envelope. */
    public static String table(JsonNode envelope) {
        JsonNode data = envelope.path("data");
        JsonNode scenarios = data.path("scenarios");
        int streams = envelope.path("meta").path("parameters").path("streams").asInt(16);
        String tcpN = tcpKey(streams);
        StringBuilder sb = new StringBuilder();
        List<Row> rows = rows(scenarios);

        String format = "%-20s %8s %8s %8s %7s %15s %15s %6s %7s %7s %8s%n";
        sb.append(String.format(Locale.ROOT, format, "", "TCP-1", "TCP-" + streams, "UDP", "UDP", "RTT idle ms", "RTT load ms",
                "load", "CPU", "box CPU", "paths"));
        sb.append(String.format(Locale.ROOT, format, "scenario", "Gbit/s", "Gbit/s", "Gbit/s", "loss %", "p50 / p99", "p50 / p99",
                "loss %", "s/GB", "s/GB", "max/min"));
        for (Row r : rows) {
            JsonNode f = r.figures();
            sb.append(String.format(Locale.ROOT, format, r.label(),
                    gbits(f, "tcp_1"), gbits(f, tcpN), gbits(f, "udp"), fixed(f, "udp", "lost_percent", 1),
                    rtt(f.path("ping_idle")), rtt(f.path("ping_load")), fixed(f, "ping_load", "lost_percent", 1), cpu(f),
                    fixed(f, "cpu", "box_cpu_s_per_gb", 2), balance(f)));
        }
        for (var s : scenarios.properties()) {
            if (!"ok".equals(s.getValue().path("status").asText())) {
                sb.append(String.format(Locale.ROOT, "%-20s FAILED after %d attempt(s): %s%n", s.getKey(),
                        s.getValue().path("attempts").asInt(), firstLine(s.getValue().path("error").asText("a step failed; see its figures"))));
            }
        }

        appendSpread(sb, scenarios, rows, streams);

        JsonNode ratios = data.path("ratios").path("rows");
        if (ratios.size() > 0) {
            sb.append(String.format(Locale.ROOT, "%nratios vs %s (throughput: higher is better; CPU and RTT: lower is better)%n",
                    data.path("ratios").path("reference").asText(REFERENCE)));
            sb.append(String.format(Locale.ROOT, "%-20s %8s %8s %8s %9s %9s %9s %9s%n", "scenario", "TCP-1", "TCP-" + streams,
                    "UDP", "CPU s/GB", "box CPU", "RTT idle", "RTT load"));
            for (var e : ratios.properties()) {
                JsonNode q = e.getValue();
                sb.append(String.format(Locale.ROOT, "%-20s %8s %8s %8s %9s %9s %9s %9s%n", e.getKey(), times(q, "tcp_1"),
                        times(q, tcpN), times(q, "udp"), times(q, "cpu_s_per_gb"), times(q, "box_cpu_s_per_gb"),
                        times(q, "rtt_idle_p50"), times(q, "rtt_load_p50")));
            }
        }

        JsonNode penalty = data.path("floating_penalty");
        if (penalty.isObject()) {
            sb.append(String.format(Locale.ROOT, "%nfloating-address penalty (braid-1, floating vs /30 link, same lab): TCP-1 %s%s,"
                            + " TCP-%d %s%s, UDP %s, RTT idle p50 %s ms, CPU s/GB %s%n",
                    percent(penalty, "tcp_1_change_percent"), pairSpread(penalty, "tcp_1"), streams,
                    percent(penalty, tcpN + "_change_percent"), pairSpread(penalty, tcpN),
                    percent(penalty, "udp_change_percent"), signed(Json.number(penalty, "rtt_idle_p50_change_ms"), 3),
                    percent(penalty, "cpu_s_per_gb_change_percent")));
        }

        List<String> shares = new ArrayList<>();
        for (Row r : rows) {
            JsonNode share = r.figures().path("paths").path("share_percent");
            if (share.size() > 1) {
                List<String> parts = new ArrayList<>();
                share.forEach(v -> parts.add(String.format(Locale.ROOT, "%.1f", v.asDouble())));
                shares.add(r.label() + ": " + String.join(" / ", parts) + " %");
            }
        }
        if (!shares.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%npath shares (bytes site A -> B by worker, during the %d-stream run): %s%n",
                    streams, String.join("; ", shares)));
        }
        List<String> perPath = new ArrayList<>();
        for (Row r : rows) {
            JsonNode cpu = r.figures().path("per_path_cpu_s_per_gb");
            if (cpu.size() > 0) {
                List<String> parts = new ArrayList<>();
                cpu.forEach(v -> parts.add(String.format(Locale.ROOT, "%.2f", v.asDouble())));
                perPath.add(r.label() + ": " + String.join(" / ", parts));
            }
        }
        if (!perPath.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "CPU s per GB of each path's two workers (scaling: flat in the worker count): %s%n",
                    String.join("; ", perPath)));
        }
        JsonNode notes = data.path("notes");
        if (notes.size() > 0) {
            sb.append("\nnotes:\n");
            notes.forEach(n -> sb.append("  - ").append(n.asText()).append('\n'));
        }
        return sb.toString();
    }

    /** With rounds: min - max over the rounds of the headline figures, one line per row. */
    private static void appendSpread(StringBuilder sb, JsonNode scenarios, List<Row> rows, int streams) {
        String tcpN = tcpKey(streams);
        boolean header = false;
        for (Row r : rows) {
            JsonNode spread = scenarios.path(r.scenario()).path("spread").path(r.key());
            if (spread.isMissingNode()) {
                continue;
            }
            if (!header) {
                sb.append(String.format(Locale.ROOT, "%nspread over rounds (min - max; the table above shows medians)%n"));
                sb.append(String.format(Locale.ROOT, "%-20s %6s %15s %15s %15s %13s %15s %15s%n", "scenario", "rounds", "TCP-1 Gbit/s",
                        "TCP-" + streams + " Gbit/s", "UDP Gbit/s", "CPU s/GB", "RTT idle p50", "RTT load p50"));
                header = true;
            }
            sb.append(String.format(Locale.ROOT, "%-20s %6d %15s %15s %15s %13s %15s %15s%n", r.label(),
                    spread.path("tcp_1").path("rounds").asInt(),
                    range(spread, "tcp_1", 1e-9, 3), range(spread, tcpN, 1e-9, 3),
                    range(spread, "udp", 1e-9, 3), range(spread, "cpu_s_per_gb", 1, 2),
                    range(spread, "rtt_idle_p50", 1, 3), range(spread, "rtt_load_p50", 1, 2)));
        }
    }

    private static String range(JsonNode spread, String figure, double scale, int decimals) {
        JsonNode f = spread.get(figure);
        if (f == null) {
            return "-";
        }
        double min = Json.number(f, "min");
        double max = Json.number(f, "max");
        if (!Double.isFinite(min)) {
            return "-";
        }
        String fmt = "%." + decimals + "f";
        return String.format(Locale.ROOT, fmt + "-" + fmt, min * scale, max * scale);
    }

    private static String gbits(JsonNode row, String key) {
        JsonNode f = row.path(key);
        if (f.has("error")) {
            return "ERR";
        }
        double v = Json.number(f, "bits_per_second");
        return Double.isFinite(v) ? String.format(Locale.ROOT, v >= 10e9 ? "%.1f" : "%.3f", v / 1e9) : "-";
    }

    private static String fixed(JsonNode row, String key, String field, int decimals) {
        JsonNode f = row.path(key);
        if (f.has("error")) {
            return "ERR";
        }
        double v = Json.number(f, field);
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + decimals + "f", v) : "-";
    }

    private static String rtt(JsonNode ping) {
        if (ping.has("error")) {
            return "ERR";
        }
        double p50 = Json.number(ping, "rtt_ms.p50");
        double p99 = Json.number(ping, "rtt_ms.p99");
        return Double.isFinite(p50) ? String.format(Locale.ROOT, "%s / %s", ms(p50), ms(p99)) : "-";
    }

    private static String ms(double v) {
        return String.format(Locale.ROOT, v >= 10 ? "%.1f" : v >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String cpu(JsonNode row) {
        JsonNode c = row.path("cpu");
        if (c.path("tunnel").asText().equals("kernel only")) {
            return "n/a";
        }
        return fixed(row, "cpu", "cpu_s_per_gb", 2);
    }

    private static String balance(JsonNode row) {
        JsonNode paths = row.path("paths");
        if (paths.path("bytes").size() < 2) {
            return "-";
        }
        double v = Json.number(paths, "balance");
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "inf";
    }

    private static String times(JsonNode o, String key) {
        double v = Json.number(o, key);
        return Double.isFinite(v) ? String.format(Locale.ROOT, v >= 100 ? "%.0fx" : v >= 10 ? "%.1fx" : "%.2fx", v) : "-";
    }

    /** " (median of N pairs, p25 .. p75 %)" when the penalty came from back-to-back pairs. */
    private static String pairSpread(JsonNode penalty, String key) {
        if (!penalty.has(key + "_pairs")) {
            return "";
        }
        int n = penalty.path(key + "_pairs").asInt();
        return String.format(Locale.ROOT, " (median of %d pair%s, p25 %s .. p75 %s %%)", n, n == 1 ? "" : "s",
                signed(Json.number(penalty, key + "_change_percent_p25"), 1), signed(Json.number(penalty, key + "_change_percent_p75"), 1));
    }

    private static String percent(JsonNode o, String key) {
        double v = Json.number(o, key);
        return Double.isFinite(v) ? signed(v, 1) + " %" : "-";
    }

    private static String signed(double v, int decimals) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%+." + decimals + "f", v) : "-";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
