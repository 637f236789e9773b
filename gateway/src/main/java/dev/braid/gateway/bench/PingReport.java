package dev.braid.gateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Round-trip times from iputils ping's output: one "time=X ms" per reply line, and the
 * "N packets transmitted, M received" summary (replies that never came are the difference).
 */
public record PingReport(int transmitted, int received, List<Double> rttMs) {
    private static final Pattern REPLY = Pattern.compile("icmp_seq=\\d+ .*time=([0-9.]+) ms");
    private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

    public static PingReport parse(String output) {
        List<Double> rtts = new ArrayList<>();
        int transmitted = -1;
        int received = -1;
        for (String line : output.split("\n")) {
            Matcher reply = REPLY.matcher(line);
            if (reply.find()) {
                rtts.add(Double.parseDouble(reply.group(1)));
                continue;
            }
            Matcher summary = SUMMARY.matcher(line);
            if (summary.find()) {
                transmitted = Integer.parseInt(summary.group(1));
                received = Integer.parseInt(summary.group(2));
            }
        }
        if (transmitted < 0) {
            throw new IllegalArgumentException("ping printed no summary line; output: "
                    + (output.length() > 300 ? output.substring(0, 300) + "…" : output));
        }
        return new PingReport(transmitted, received, List.copyOf(rtts));
    }

    public double lostPercent() {
        return transmitted == 0 ? Double.NaN : 100.0 * (transmitted - received) / transmitted;
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("transmitted", transmitted);
        o.put("received", received);
        Json.put(o, "lost_percent", lostPercent());
        o.set("rtt_ms", Stats.of(rttMs).toJson());
        return o;
    }
}
