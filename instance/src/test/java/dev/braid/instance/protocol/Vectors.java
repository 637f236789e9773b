package dev.braid.instance.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The vectors src/test/python/wireguard_vectors.py computed with an independent implementation. */
final class Vectors {
    private static final JsonNode ROOT = load();

    private Vectors() {
    }

    static JsonNode primitives() {
        return ROOT.get("primitives");
    }

    static JsonNode handshake(String name) {
        JsonNode node = ROOT.get("handshakes").get(name);
        if (node == null) {
            throw new IllegalArgumentException("no handshake vector " + name);
        }
        return node;
    }

    static byte[] hex(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            throw new IllegalArgumentException("vector has no field " + field);
        }
        return value.isNull() ? null : HexFormat.of().parseHex(value.asText());
    }

    private static JsonNode load() {
        try (InputStream in = Vectors.class.getResourceAsStream("wireguard-vectors.json")) {
            if (in == null) {
                throw new IllegalStateException("wireguard-vectors.json is missing from the test resources");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
