package dev.braid.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Small helpers over Jackson trees for the result file: a figure that could not be measured (a
 * division by zero, an empty series) is written as JSON null, never as NaN, which is not JSON.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {
    }

    static void put(ObjectNode o, String key, double value) {
        if (Double.isFinite(value)) {
            o.put(key, value);
        } else {
            o.putNull(key);
        }
    }

    /** The number at {@code path} (dot separated), NaN when absent or null. */
    static double number(JsonNode node, String path) {
        JsonNode n = node;
        for (String part : path.split("\\.")) {
            if (n == null) {
                return Double.NaN;
            }
            n = n.get(part);
        }
        return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
