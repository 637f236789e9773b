package dev.braid.gateway.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.braid.ecmp.lab.Iperf3;
import dev.braid.ecmp.lab.impair.Profile;

/**
 * The impairment profiles of the benchmarking method Braid follows (delay, jitter, loss,
 * reordering with correlation, on both directions) between two sites with 2 workers each: TCP over
 * 4 flows completes under every profile. Throughput is printed per profile — a benchmark figure,
 * not an assertion.
 */
@Tag("netns")
class ImpairmentProfilesTest {
    @TempDir
    Path dir;

    @Test
    void tcpCompletesUnderEveryProfile() throws Exception {
        Map<Profile, String> results = new LinkedHashMap<>();
        try (SiteLab lab = SiteLab.build(dir, SiteLab.Options.relayed(2))) {
            lab.startSupervisors();
            assertTrue(lab.awaitSessions(Duration.ofSeconds(30)), "paths up");
            int port = 5201;
            for (Profile profile : Profile.values()) {
                lab.relay().setProfile(profile);
                Iperf3.server(lab.b.ns, SiteLab.FLOATING_B, port, dir.resolve("iperf3-" + profile + ".log"));
                String json = Iperf3.tcpClient(lab.a.ns, SiteLab.FLOATING_B, port, 8, 4, false, SiteLab.FLOATING_A);
                JsonNode end = new ObjectMapper().readTree(json).path("end");
                double mbps = end.path("sum_received").path("bits_per_second").asDouble() / 1e6;
                long retransmits = end.path("sum_sent").path("retransmits").asLong();
                assertTrue(end.path("sum_received").path("bytes").asLong() > 0, profile + ": data arrived");
                results.put(profile, String.format("%8.1f Mbit/s, %6d retransmits", mbps, retransmits));
                port++;
            }
            System.out.println("TCP, 4 flows, 8 s, 2 workers per site, through the impairment relay:");
            results.forEach((p, r) -> System.out.printf("  %-8s %s   (%s)%n", p, r, p.impairment().describe()));
            System.out.println(lab.relay().stats());
        }
    }
}
