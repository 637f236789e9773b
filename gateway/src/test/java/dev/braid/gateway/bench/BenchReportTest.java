package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

class BenchReportTest {
    /** A row as Measurement writes it, with round figures. */
    static ObjectNode row(String label, double tcp1Gbit, double tcp16Gbit, double udpGbit, double rttIdleMs, double rttLoadMs,
                          Double cpuSPerGb, double[] shares) {
        ObjectNode r = JsonNodeFactory.instance.objectNode();
        r.put("label", label);
        r.putObject("tcp_1").put("bits_per_second", tcp1Gbit * 1e9);
        r.putObject("tcp_16").put("bits_per_second", tcp16Gbit * 1e9);
        ObjectNode udp = r.putObject("udp");
        udp.put("bits_per_second", udpGbit * 1e9);
        udp.put("lost_percent", 12.34);
        r.putObject("ping_idle").putObject("rtt_ms").put("p50", rttIdleMs).put("p99", rttIdleMs * 4);
        r.putObject("ping_load").putObject("rtt_ms").put("p50", rttLoadMs).put("p99", rttLoadMs * 2);
        ObjectNode cpu = r.putObject("cpu");
        if (cpuSPerGb == null) {
            cpu.put("tunnel", "kernel only");
            cpu.putNull("cpu_s_per_gb");
        } else {
            cpu.put("cpu_s_per_gb", cpuSPerGb);
        }
        cpu.put("box_cpu_s_per_gb", 20.0);
        if (shares != null) {
            ObjectNode paths = r.putObject("paths");
            var bytes = paths.putArray("bytes");
            var share = paths.putArray("share_percent");
            for (double s : shares) {
                bytes.add((long) (s * 1e6));
                share.add(s);
            }
            paths.put("balance", 60.0 / 40.0);
        }
        return r;
    }

    static ObjectNode scenario(String status, String key, ObjectNode... rows) {
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        s.put("status", status);
        s.put("attempts", 1);
        ObjectNode r = s.putObject("rows");
        for (ObjectNode row : rows) {
            r.set(rows.length == 1 ? key : row.path("label").asText().contains("link") ? "link" : "floating", row);
        }
        return s;
    }

    static ObjectNode sampleEnvelope() {
        ObjectNode scenarios = JsonNodeFactory.instance.objectNode();
        scenarios.set("underlay", scenario("ok", "underlay", row("underlay", 10, 20, 1, 0.02, 0.5, null, null)));
        scenarios.set("wireguard-go", scenario("ok", "wireguard-go", row("wireguard-go", 0.5, 0.8, 0.4, 0.2, 4.0, 12.0, null)));
        scenarios.set("braid-2", scenario("ok", "braid-2", row("braid-2", 0.4, 1.2, 0.3, 0.5, 2.0, 9.0, new double[] {60, 40})));
        scenarios.set("floating-penalty", scenario("ok", "x",
                row("braid-1 /30 link", 0.5, 0.6, 0.3, 0.4, 3.0, 10.0, null),
                row("braid-1 floating", 0.45, 0.6, 0.33, 0.5, 3.0, 11.0, null)));
        ObjectNode failed = JsonNodeFactory.instance.objectNode();
        failed.put("status", "failed");
        failed.put("attempts", 2);
        failed.put("error", "Braid paths did not come up within 60 s\nlog tail");
        scenarios.set("braid-4", failed);

        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.set("scenarios", scenarios);
        data.set("ratios", BenchReport.ratios(scenarios, 16));
        data.set("floating_penalty", BenchReport.floatingPenalty(scenarios, 16));
        data.putArray("notes").add("braid-2: something odd");
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.putObject("parameters").put("streams", 16);
        return BenchReport.envelope("failed", data, meta);
    }

    @Test
    void envelopeHasStatusDataAndMeta() throws Exception {
        ObjectNode e = sampleEnvelope();
        assertEquals("failed", e.path("status").asText());
        assertTrue(e.path("data").path("scenarios").has("braid-2"));
        assertEquals(16, e.path("meta").path("parameters").path("streams").asInt());
        String written = Json.MAPPER.writeValueAsString(e);
        JsonNode reread = Json.MAPPER.readTree(written);
        assertEquals(written, Json.MAPPER.writeValueAsString(reread), "the envelope survives a write and a read");
        assertTrue(reread.path("data").path("scenarios").path("underlay").path("rows").path("underlay").path("cpu")
                .path("cpu_s_per_gb").isNull(), "an unmeasurable figure is null, not NaN");
        assertEquals(BenchReport.table(e), BenchReport.table(reread), "--show renders a file like the live run");
    }

    @Test
    void ratiosAreAgainstWireGuardGoAndSkipIt() {
        JsonNode ratios = sampleEnvelope().path("data").path("ratios");
        assertEquals("wireguard-go", ratios.path("reference").asText());
        JsonNode rows = ratios.path("rows");
        assertFalse(rows.has("wireguard-go"));
        assertEquals(0.8, rows.path("braid-2").path("tcp_1").asDouble(), 1e-9);
        assertEquals(1.5, rows.path("braid-2").path("tcp_16").asDouble(), 1e-9);
        assertEquals(0.75, rows.path("braid-2").path("cpu_s_per_gb").asDouble(), 1e-9);
        assertEquals(2.5, rows.path("braid-2").path("rtt_idle_p50").asDouble(), 1e-9);
        assertEquals(0.5, rows.path("braid-2").path("rtt_load_p50").asDouble(), 1e-9);
        assertTrue(rows.path("underlay").path("cpu_s_per_gb").isNull(), "kernel-only CPU has no ratio");
        assertEquals(25.0, rows.path("underlay").path("tcp_16").asDouble(), 1e-9);
    }

    @Test
    void noWireGuardGoRowMeansNoRatios() {
        ObjectNode scenarios = JsonNodeFactory.instance.objectNode();
        scenarios.set("braid-1", scenario("ok", "braid-1", row("braid-1", 1, 1, 1, 1, 1, 1.0, null)));
        assertEquals(0, BenchReport.ratios(scenarios, 16).path("rows").size());
        assertNull(BenchReport.floatingPenalty(scenarios, 16));
    }

    @Test
    void floatingPenaltyIsThePercentChangeFromLinkToFloating() {
        JsonNode p = sampleEnvelope().path("data").path("floating_penalty");
        assertEquals(-10.0, p.path("tcp_1_change_percent").asDouble(), 1e-9);
        assertEquals(0.0, p.path("tcp_16_change_percent").asDouble(), 1e-9);
        assertEquals(10.0, p.path("udp_change_percent").asDouble(), 1e-9);
        assertEquals(0.1, p.path("rtt_idle_p50_change_ms").asDouble(), 1e-9);
        assertEquals(10.0, p.path("cpu_s_per_gb_change_percent").asDouble(), 1e-9);
    }

    @Test
    void withPairsTheTcpPenaltyIsTheMedianOfThePairsChangesNotOfTheRows() {
        ObjectNode scenarios = JsonNodeFactory.instance.objectNode();
        ObjectNode floating = scenario("ok", "x",
                row("braid-1 /30 link", 0.5, 0.6, 0.3, 0.4, 3.0, 10.0, null),
                row("braid-1 floating", 0.45, 0.6, 0.33, 0.5, 3.0, 11.0, null));
        var pairs = floating.putArray("pairs");
        // 16 streams: changes +10, -2, +1, +50 (a noisy pair), -1 %; one pair failed; one is a 1-stream pair
        double[][] tcp16 = {{1.0, 1.10}, {1.0, 0.98}, {2.0, 2.02}, {1.0, 1.5}, {1.0, 0.99}};
        for (double[] pair : tcp16) {
            ObjectNode p = pairs.addObject().put("test", "tcp_16");
            p.putObject("bits_per_second").put("link", pair[0] * 1e9).put("floating", pair[1] * 1e9);
        }
        pairs.addObject().put("test", "tcp_16").put("error", "floating: iperf3 exited 1").putObject("bits_per_second").put("link", 1e9);
        ObjectNode one = pairs.addObject().put("test", "tcp_1");
        one.putObject("bits_per_second").put("link", 1e9).put("floating", 0.97e9);
        scenarios.set("floating-penalty", floating);

        JsonNode p = BenchReport.floatingPenalty(scenarios, 16);
        assertEquals(1.0, p.path("tcp_16_change_percent").asDouble(), 1e-9, "median of -2, -1, +1, +10, +50");
        assertEquals(5, p.path("tcp_16_pairs").asInt(), "the failed pair is left out");
        assertEquals(-1.5, p.path("tcp_16_change_percent_p25").asDouble(), 1e-9);
        assertEquals(30.0, p.path("tcp_16_change_percent_p75").asDouble(), 1e-9);
        assertEquals(0.0, p.path("tcp_16_change_percent_of_row_medians").asDouble(), 1e-9);
        assertEquals(-3.0, p.path("tcp_1_change_percent").asDouble(), 1e-9);
        assertEquals(1, p.path("tcp_1_pairs").asInt());
        assertEquals(10.0, p.path("udp_change_percent").asDouble(), 1e-9, "UDP still compares the rows");

        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.set("scenarios", scenarios);
        data.set("floating_penalty", p);
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.putObject("parameters").put("streams", 16);
        String table = BenchReport.table(BenchReport.envelope("ok", data, meta));
        assertTrue(table.contains("TCP-16 +1.0 % (median of 5 pairs, p25 -1.5 .. p75 +30.0 %)"), table);
        assertTrue(table.contains("TCP-1 -3.0 % (median of 1 pair, p25 -3.0 .. p75 -3.0 %)"), table);
    }

    @Test
    void tableShowsEveryRowRatiosPenaltySharesFailuresAndNotes() {
        String table = BenchReport.table(sampleEnvelope());
        String[] lines = table.split("\n");
        assertTrue(lines[0].contains("TCP-1") && lines[0].contains("TCP-16") && lines[1].contains("Gbit/s"), table);
        String braid = line(table, "braid-2 ");
        assertTrue(braid.matches("braid-2\\s+0\\.400\\s+1\\.200\\s+0\\.300\\s+12\\.3\\s+0\\.500 / 2\\.00\\s+2\\.00 / 4\\.00\\s+-\\s+9\\.00\\s+20\\.00\\s+1\\.50"),
                braid);
        assertTrue(line(table, "underlay ").matches("underlay\\s+10\\.0\\s+20\\.0\\s+1\\.000 .*\\s+n/a\\s+20\\.00\\s+-"), line(table, "underlay "));
        assertTrue(table.contains("braid-4              FAILED after 2 attempt(s): Braid paths did not come up within 60 s\n"), table);
        assertFalse(table.contains("log tail"), "only the first line of an error goes into the table");
        assertTrue(table.contains("ratios vs wireguard-go"), table);
        String ratio = line(table.substring(table.indexOf("ratios vs")), "braid-2 ");
        assertTrue(ratio.matches("braid-2\\s+0\\.80x\\s+1\\.50x\\s+0\\.75x\\s+0\\.75x\\s+1\\.00x\\s+2\\.50x\\s+0\\.50x"), ratio);
        assertTrue(table.contains("TCP-1 -10.0 %, TCP-16 +0.0 %, UDP +10.0 %, RTT idle p50 +0.100 ms, CPU s/GB +10.0 %"), table);
        assertTrue(table.contains("braid-2: 60.0 / 40.0 %"), table);
        assertTrue(table.contains("  - braid-2: something odd"), table);
    }

    @Test
    void aFailedStepShowsAsErr() {
        ObjectNode r = row("braid-1", 1, 1, 1, 1, 1, 1.0, null);
        r.set("udp", JsonNodeFactory.instance.objectNode().put("error", "No route to host"));
        ObjectNode scenarios = JsonNodeFactory.instance.objectNode();
        scenarios.set("braid-1", scenario("failed", "braid-1", r));
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.set("scenarios", scenarios);
        String table = BenchReport.table(BenchReport.envelope("failed", data, JsonNodeFactory.instance.objectNode()));
        assertTrue(line(table, "braid-1 ").matches("braid-1\\s+1\\.000\\s+1\\.000\\s+ERR\\s+ERR\\s.*"), table);
    }

    @Test
    void roundsAddASpreadSection() {
        ObjectNode e = sampleEnvelope();
        ObjectNode braid = (ObjectNode) e.path("data").path("scenarios").path("braid-2");
        ObjectNode tcp1 = braid.putObject("spread").putObject("braid-2").putObject("tcp_1");
        tcp1.put("rounds", 3).put("min", 0.3e9).put("max", 0.9e9);
        String table = BenchReport.table(e);
        assertTrue(table.contains("spread over rounds"), table);
        String spread = line(table.substring(table.indexOf("spread over rounds")), "braid-2 ");
        assertTrue(spread.matches("braid-2\\s+3\\s+0\\.300-0\\.900\\s+-\\s+-.*"), spread);
        assertFalse(BenchReport.table(sampleEnvelope()).contains("spread over rounds"), "one round, no spread");
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no line starting with '" + prefix + "')");
    }
}
