package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

class RoundMergeTest {
    private static JsonNode row(double tcp1Gbit, double cpu, long bytes0, Double udpGbit) throws Exception {
        ObjectNode r = BenchReportTest.row("braid-2", tcp1Gbit, 1, udpGbit == null ? 0 : udpGbit, 0.5, 2, cpu, new double[] {60, 40});
        ((com.fasterxml.jackson.databind.node.ArrayNode) r.path("paths").path("bytes")).removeAll().add(bytes0).add(bytes0 / 2);
        if (udpGbit == null) {
            r.set("udp", JsonNodeFactory.instance.objectNode().put("error", "No route to host"));
        }
        return r;
    }

    @Test
    void figuresAreMediansLeafByLeafAndTextComesFromTheFirstRound() throws Exception {
        JsonNode merged = RoundMerge.median(List.of(row(0.3, 9, 100, 0.2), row(0.9, 12, 300, 0.4), row(0.5, 10, 200, 0.3)));
        assertEquals(0.5e9, merged.path("tcp_1").path("bits_per_second").asDouble(), 1e-3);
        assertEquals(10.0, merged.path("cpu").path("cpu_s_per_gb").asDouble(), 1e-9);
        assertEquals(200, merged.path("paths").path("bytes").get(0).asLong());
        assertEquals(100, merged.path("paths").path("bytes").get(1).asLong());
        assertTrue(merged.path("paths").path("bytes").get(0).isIntegralNumber(), "byte counts stay integers");
        assertEquals("braid-2", merged.path("label").asText());
        assertEquals(0.3e9, merged.path("udp").path("bits_per_second").asDouble(), 1e-3);
    }

    @Test
    void anEvenNumberOfRoundsTakesTheMiddlePairsMean() throws Exception {
        JsonNode merged = RoundMerge.median(List.of(row(0.2, 8, 100, 0.1), row(0.6, 10, 300, 0.3)));
        assertEquals(0.4e9, merged.path("tcp_1").path("bits_per_second").asDouble(), 1e-3);
        assertEquals(9.0, merged.path("cpu").path("cpu_s_per_gb").asDouble(), 1e-9);
    }

    @Test
    void aStepThatFailedInOneRoundIsTheMedianOfTheOthers() throws Exception {
        JsonNode merged = RoundMerge.median(List.of(row(0.3, 9, 100, null), row(0.9, 12, 300, 0.4), row(0.5, 10, 200, 0.2)));
        assertFalse(merged.path("udp").has("error"), merged.path("udp").toString());
        assertEquals(0.3e9, merged.path("udp").path("bits_per_second").asDouble(), 1e-3);
        JsonNode allFailed = RoundMerge.median(List.of(row(0.3, 9, 100, null), row(0.9, 12, 300, null)));
        assertTrue(allFailed.path("udp").has("error"));
    }

    @Test
    void spreadIsMinAndMaxOfTheHeadlineFigures() throws Exception {
        ObjectNode spread = RoundMerge.spread(List.of(row(0.3, 9, 100, null), row(0.9, 12, 300, 0.4), row(0.5, 10, 200, 0.2)), 16);
        assertEquals(0.3e9, spread.path("tcp_1").path("min").asDouble(), 1e-3);
        assertEquals(0.9e9, spread.path("tcp_1").path("max").asDouble(), 1e-3);
        assertEquals(3, spread.path("tcp_1").path("rounds").asInt());
        assertEquals(2, spread.path("udp").path("rounds").asInt(), "the failed round has no UDP figure");
        assertEquals(9.0, spread.path("cpu_s_per_gb").path("min").asDouble());
        assertTrue(spread.has("tcp_16") && spread.has("rtt_idle_p50") && spread.has("rtt_load_p50"));
    }
}
