package dev.braid.gateway.bench;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the bench keeps from an iperf3 client's JSON report (`iperf3 -J`). TCP: what the receiver
 * got (end.sum_received), the sender's retransmits, and the per-second series without the omitted
 * (-O) warm-up seconds, to show stalls. UDP: the receiver's rate, loss and jitter
 * (end.sum_received; iperf3 3.12 miscounts UDP loss when -O is used, so UDP runs go without it).
 */
public final class IperfReport {
    private IperfReport() {
    }

    public record Tcp(double receivedBitsPerSecond, long receivedBytes, double receivedSeconds, long retransmits,
                      List<Double> perSecondBitsPerSecond) {
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            Json.put(o, "bits_per_second", receivedBitsPerSecond);
            o.put("bytes", receivedBytes);
            Json.put(o, "seconds", receivedSeconds);
            o.put("retransmits", retransmits);
            o.set("per_second_bits_per_second", Stats.of(perSecondBitsPerSecond).toJson());
            return o;
        }
    }

    public record Udp(double receivedBitsPerSecond, double sentBitsPerSecond, double lostPercent, long lostPackets,
                      long packets, double jitterMs) {
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            Json.put(o, "bits_per_second", receivedBitsPerSecond);
            Json.put(o, "sent_bits_per_second", sentBitsPerSecond);
            Json.put(o, "lost_percent", lostPercent);
            o.put("lost_packets", lostPackets);
            o.put("packets", packets);
            Json.put(o, "jitter_ms", jitterMs);
            return o;
        }
    }

    public static Tcp tcp(String json) {
        JsonNode root = parse(json);
        JsonNode received = root.path("end").path("sum_received");
        if (!received.has("bits_per_second")) {
            throw new IllegalArgumentException("iperf3 report without end.sum_received" + errorOf(root));
        }
        List<Double> perSecond = new ArrayList<>();
        for (JsonNode interval : root.path("intervals")) {
            JsonNode sum = interval.path("sum");
            if (!sum.path("omitted").asBoolean(false) && sum.has("bits_per_second")) {
                perSecond.add(sum.path("bits_per_second").asDouble());
            }
        }
        return new Tcp(received.path("bits_per_second").asDouble(), received.path("bytes").asLong(),
                received.path("seconds").asDouble(), root.path("end").path("sum_sent").path("retransmits").asLong(0),
                perSecond);
    }

    public static Udp udp(String json) {
        JsonNode root = parse(json);
        JsonNode end = root.path("end");
        JsonNode received = end.has("sum_received") ? end.path("sum_received") : end.path("sum");
        if (!received.has("bits_per_second")) {
            throw new IllegalArgumentException("iperf3 UDP report without end.sum_received" + errorOf(root));
        }
        long packets = received.path("packets").asLong();
        long lost = received.path("lost_packets").asLong();
        return new Udp(received.path("bits_per_second").asDouble(), end.path("sum_sent").path("bits_per_second").asDouble(Double.NaN),
                received.path("lost_percent").asDouble(packets == 0 ? Double.NaN : 100.0 * lost / packets), lost, packets,
                received.path("jitter_ms").asDouble(Double.NaN));
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("iperf3 printed no JSON report: " + e.getMessage(), e);
        }
    }

    private static String errorOf(JsonNode root) {
        String error = root.path("error").asText("");
        return error.isEmpty() ? "" : " (iperf3: " + error + ")";
    }
}
