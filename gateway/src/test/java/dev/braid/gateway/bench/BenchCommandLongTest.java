package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Netns;
import dev.braid.gateway.BraidCli;

/**
 * `braid bench --quick --only underlay,braid-1,floating` end to end, through the CLI: every scenario
 * is measured, the result file holds the envelope with every figure (the floating-penalty lab's
 * back-to-back pairs and the penalty from them included), the table is printed, and no namespace
 * of this JVM is left. It checks the harness, not Braid's speed: no figure is compared
 * with a threshold beyond "something moved".
 */
@Tag("netns")
@Tag("long")
class BenchCommandLongTest {
    @TempDir
    Path dir;

    @Test
    void quickBenchOfUnderlayBraidOneAndFloatingWritesTheEnvelopeAndCleansUp() throws Exception {
        Path file = dir.resolve("result.json");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = BraidCli.run(List.of("bench", "--quick", "--only", "underlay,braid-1,floating", "--out", file.toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        System.out.println(err.toString(StandardCharsets.UTF_8));

        assertTrue(Files.exists(file), "result file written");
        JsonNode envelope = Json.MAPPER.readTree(file.toFile());
        String envelopeStatus = envelope.path("status").asText();
        assertEquals(envelopeStatus.equals("ok") ? 0 : 1, status, "exit status follows the envelope's status");

        JsonNode meta = envelope.path("meta");
        assertEquals("braid bench --quick --only underlay,braid-1,floating --out " + file, meta.path("command").asText());
        assertTrue(meta.path("machine").path("cpus").asInt() >= 1);
        assertFalse(meta.path("versions").path("iperf3").asText().isEmpty());
        assertTrue(meta.path("duration_s").asDouble() > 0);
        assertTrue(meta.path("attempts").asInt() >= 3, "one attempt per scenario at least");
        assertEquals(5, meta.path("parameters").path("seconds").asInt());

        JsonNode scenarios = envelope.path("data").path("scenarios");
        assertEquals(List.of("underlay", "braid-1", "floating-penalty"), scenarios.properties().stream().map(java.util.Map.Entry::getKey).toList());
        JsonNode underlay = scenarios.path("underlay").path("rows").path("underlay");
        JsonNode braid = scenarios.path("braid-1").path("rows").path("braid-1");
        for (JsonNode row : List.of(underlay, braid)) {
            assertTrue(row.path("tcp_1").path("bits_per_second").asDouble() > 0, row.toString());
            assertTrue(row.path("tcp_16").path("bits_per_second").asDouble() > 0, row.toString());
            assertTrue(row.path("ping_idle").path("rtt_ms").path("count").asInt() > 0, row.toString());
            assertTrue(row.has("udp") && row.has("ping_load") && row.has("cpu"), row.toString());
        }
        assertEquals("kernel only", underlay.path("cpu").path("tunnel").asText());
        assertTrue(braid.path("cpu").path("tunnel_cpu_s").path("a/worker-0").asDouble() > 0, "site A's worker used CPU");
        assertTrue(braid.path("cpu").path("tunnel_cpu_s").path("b/worker-0").asDouble() > 0, "site B's worker used CPU");
        assertTrue(braid.path("cpu").has("tunnel_cpu_s") && braid.path("cpu").path("tunnel_cpu_s").has("a/supervisor"),
                braid.path("cpu").toString());
        assertEquals(1, braid.path("paths").path("bytes").size());
        assertTrue(scenarios.path("braid-1").path("trouble").isObject(), "what went wrong is recorded, if anything");
        assertTrue(braid.path("trouble").isObject());

        // --quick: 2 extra pairs per test after the main steps' pair, each with both routes measured
        JsonNode pairs = scenarios.path("floating-penalty").path("pairs");
        assertEquals(6, pairs.size(), pairs.toString());
        for (JsonNode pair : pairs) {
            assertTrue(pair.has("error") || (pair.path("bits_per_second").path("link").asDouble() > 0
                    && pair.path("bits_per_second").path("floating").asDouble() > 0), pair.toString());
        }
        JsonNode penalty = envelope.path("data").path("floating_penalty");
        assertTrue(penalty.path("tcp_16_pairs").asInt() >= 1 && penalty.has("tcp_16_change_percent_p25"), penalty.toString());
        assertTrue(printed.contains("floating-address penalty") && printed.contains("pairs, p25"), printed);

        assertTrue(printed.contains("scenario") && printed.lines().anyMatch(l -> l.startsWith("braid-1 ")), printed);
        assertTrue(printed.contains("results: " + file), printed);

        String own = Netns.PREFIX + ProcessHandle.current().pid() + "-";
        String left = Command.run("ip", "netns", "list").stdout();
        assertFalse(left.lines().anyMatch(l -> l.startsWith(own)), "namespaces left behind: " + left);
    }
}
