package dev.braid.gateway.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * With {@code --rounds R} every scenario is measured R times, the rounds interleaved (all
 * scenarios, then all again), so that a burst of load from a neighbour on a shared box hits one
 * round of every peer rather than every round of one. A row's figures are then the median over
 * the rounds, leaf by leaf (every number in the row's JSON; array elements position by position;
 * text from the first round), and the spread of the headline figures is kept as min/max.
 */
final class RoundMerge {
    /** The headline figures whose spread over rounds the table shows: name in the spread → path in a row. */
    static final Map<String, String> SPREAD_FIGURES = spreadFigures();

    private static Map<String, String> spreadFigures() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("tcp_1", "tcp_1.bits_per_second");
        m.put("tcp_N", "tcp_N.bits_per_second");
        m.put("udp", "udp.bits_per_second");
        m.put("cpu_s_per_gb", "cpu.cpu_s_per_gb");
        m.put("rtt_idle_p50", "ping_idle.rtt_ms.p50");
        m.put("rtt_load_p50", "ping_load.rtt_ms.p50");
        return m;
    }

    private RoundMerge() {
    }

    /** The leaf-by-leaf median of the same row measured in several rounds. */
    static JsonNode median(List<JsonNode> rounds) {
        List<JsonNode> present = rounds.stream().filter(n -> n != null && !n.isMissingNode() && !n.isNull()).toList();
        if (present.isEmpty()) {
            return JsonNodeFactory.instance.nullNode();
        }
        List<JsonNode> measured = present.stream().filter(n -> !n.has("error")).toList();
        if (!measured.isEmpty()) {
            present = measured; // a step that failed in one round does not spoil the others' median
        }
        JsonNode first = present.getFirst();
        if (first.isObject()) {
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            Set<String> keys = new LinkedHashSet<>();
            present.forEach(n -> n.fieldNames().forEachRemaining(keys::add));
            for (String key : keys) {
                out.set(key, median(present.stream().map(n -> n.get(key)).toList()));
            }
            return out;
        }
        if (first.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            int size = present.stream().mapToInt(JsonNode::size).max().orElse(0);
            for (int i = 0; i < size; i++) {
                int index = i;
                out.add(median(present.stream().map(n -> n.get(index)).toList()));
            }
            return out;
        }
        if (first.isNumber()) {
            double[] values = present.stream().filter(JsonNode::isNumber).mapToDouble(JsonNode::asDouble).toArray();
            double m = medianOf(values);
            boolean integral = present.stream().allMatch(JsonNode::isIntegralNumber);
            return integral && m == Math.rint(m) ? JsonNodeFactory.instance.numberNode((long) m)
                    : JsonNodeFactory.instance.numberNode(m);
        }
        return first;
    }

    /** Min and max over the rounds of each headline figure of one row. */
    static ObjectNode spread(List<JsonNode> rounds, int streams) {
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, String> figure : SPREAD_FIGURES.entrySet()) {
            String name = figure.getKey().replace("tcp_N", "tcp_" + streams);
            String path = figure.getValue().replace("tcp_N", "tcp_" + streams);
            List<Double> values = new ArrayList<>();
            for (JsonNode r : rounds) {
                double v = Json.number(r, path);
                if (Double.isFinite(v)) {
                    values.add(v);
                }
            }
            ObjectNode o = out.putObject(name);
            o.put("rounds", values.size());
            Json.put(o, "min", values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN));
            Json.put(o, "max", values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN));
        }
        return out;
    }

    private static double medianOf(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
