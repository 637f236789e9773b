package dev.braid.gateway.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.braid.ecmp.lab.Await;
import dev.braid.gateway.BraidCli;
import dev.braid.gateway.lab.SiteLab;
import dev.braid.instance.counters.Counter;

/**
 * `braid status` as a user runs it, against a real supervisor of a two-site lab (2 workers each):
 * the JSON document (the SiteStatus record) with every worker's path up, in the group, a fresh
 * handshake and the peer worker's endpoint, and the kernel's group members; the text form's lines;
 * the same answer through CONFIG instead of --state-dir; and a clear exit 1 when no supervisor runs
 * for the state directory — before one ever ran, and after it stopped.
 */
class StatusCommandTest {

    /** The worker's drop counters: status lists each one, zeros included. */
    private static final long DROP_COUNTERS =
            Arrays.stream(Counter.values()).filter(c -> c.kind() == Counter.Kind.DROP).count();
    private static final long GROUP_ID = 518200;

    @TempDir
    Path dir;

    /** What one `braid ...` call printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    static Run braid(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BraidCli.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Tag("netns")
    void showsARunningSiteAsJsonAndText() throws Exception {
        try (SiteLab lab = SiteLab.build(dir.resolve("lab"), SiteLab.Options.workers(2))) {
            lab.startSupervisors();
            assertTrue(lab.awaitSessions(Duration.ofSeconds(60)), () -> "paths up\n" + logs(lab));
            String stateDir = lab.a.stateDir.toString();

            // paths leave "pending" once their handshake is done: wait (bounded) until both are up
            AtomicReference<Run> last = new AtomicReference<>();
            boolean settled = Await.until(Duration.ofSeconds(20), () -> {
                Run r = braid("status", "--json", "--state-dir", stateDir);
                last.set(r);
                return r.exitCode() == 0 && r.out().split("\"path\" : \"up\"", -1).length == 3
                        && r.out().split("\"in_group\" : true", -1).length == 3;
            });
            Run json = last.get();
            assertTrue(settled, () -> "both paths up and in the group: exit " + json.exitCode() + "\n" + json.out() + json.err());
            assertEquals("", json.err());

            JsonNode status = new ObjectMapper().readTree(json.out());
            assertEquals(lab.a.name, status.path("site").asText());
            assertTrue(status.path("supervisor_pid").asLong() > 0);
            assertEquals(SiteLab.FLOATING_A + "/32", status.path("floating_address").asText());
            assertEquals(SiteLab.UNDERLAY_B + ":" + SiteLab.BASE_PORT, status.path("peer_endpoint").asText());
            assertEquals(GROUP_ID, status.path("group_id").asLong());
            assertEquals("resilient", status.path("group_type").asText());
            assertFalse(status.path("routes_unreachable").asBoolean());
            assertTrue(status.path("routes").toString().contains("192.168.20.0/24 nhid " + GROUP_ID), status.path("routes")::toString);

            JsonNode workers = status.path("workers");
            assertEquals(2, workers.size());
            List<Long> nexthops = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                JsonNode w = workers.get(i);
                String which = "worker " + i + ": " + w;
                assertEquals(i, w.path("index").asInt(), which);
                assertEquals("up", w.path("path").asText(), which);
                assertTrue(w.path("in_group").asBoolean(), which);
                assertEquals("running", w.path("process").asText(), which);
                assertTrue(w.path("pid").asLong() > 0, which);
                assertFalse(w.path("crash_looping").asBoolean(), which);
                double handshakeAge = w.path("handshake_age_seconds").asDouble(-1);
                assertTrue(handshakeAge >= 0 && handshakeAge < 180, which);
                assertTrue(w.path("last_receive_age_seconds").asDouble(-1) >= 0, which);
                assertTrue(w.path("handshakes").asLong() >= 1, which);
                assertEquals(SiteLab.UNDERLAY_B + ":" + (SiteLab.BASE_PORT + i), w.path("endpoint").asText(), which);
                assertEquals(SiteLab.BASE_PORT + i, w.path("listen_port").asInt(), which);
                assertEquals("braid" + i, w.path("tun").asText(), which);
                assertEquals(DROP_COUNTERS, w.path("drops").size(), "every drop reason, zeros included: " + which);
                assertEquals("jdk-intrinsics", w.path("aead").asText(), "the worker runs the intrinsics AEAD: " + which);
                nexthops.add(w.path("nexthop_id").asLong());
            }
            assertEquals(List.of(GROUP_ID + 1, GROUP_ID + 2), nexthops);
            List<Long> members = new ArrayList<>();
            status.path("group_members").forEach(m -> members.add(m.asLong()));
            assertEquals(nexthops, members, "the kernel's group holds both workers' nexthops");

            Run text = braid("status", "--state-dir", stateDir);
            assertEquals(0, text.exitCode(), text.err());
            String out = text.out();
            System.out.println("braid status (site A of the lab):\n" + out);
            assertTrue(out.startsWith("site: " + lab.a.name + "  (braid "), out);
            assertTrue(out.contains("  paths up: 2 of 2\n"), out);
            assertTrue(out.contains("  peer endpoint: " + SiteLab.UNDERLAY_B + ":" + SiteLab.BASE_PORT + "\n"), out);
            assertTrue(out.contains("  nexthop group " + GROUP_ID + ": resilient (256 buckets), members ["
                    + (GROUP_ID + 1) + ", " + (GROUP_ID + 2) + "]\n"), out);
            for (int i = 0; i < 2; i++) {
                String block = out.substring(out.indexOf("worker " + i + ": "));
                assertTrue(block.startsWith("worker " + i + ": cpu "), block);
                assertTrue(block.contains("  path: up (in group)\n"), block);
                assertTrue(block.matches("(?s).*  latest handshake: \\d+ s ago\n.*"), block);
                assertTrue(block.contains("  endpoint: " + SiteLab.UNDERLAY_B + ":" + (SiteLab.BASE_PORT + i) + "\n"), block);
                assertTrue(block.matches("(?s).*  process: pid \\d+, running, restarts 0, cpu [0-9.]+ s\n.*"), block);
                assertTrue(block.contains("  aead: jdk-intrinsics\n"), block);
            }

            // CONFIG instead of --state-dir: the same site
            Run byConfig = braid("status", "--json", lab.b.config.toString());
            assertEquals(0, byConfig.exitCode(), byConfig.err());
            assertEquals(lab.b.name, new ObjectMapper().readTree(byConfig.out()).path("site").asText());

            // the supervisor stops: status says so instead of printing stale numbers
            assertEquals(0, lab.stopSupervisor(lab.a, Duration.ofSeconds(20)), () -> logs(lab));
            Run stopped = braid("status", "--json", "--state-dir", stateDir);
            assertEquals(1, stopped.exitCode(), stopped.out() + stopped.err());
            assertEquals("", stopped.out());
            assertTrue(stopped.err().contains("cannot reach the supervisor at " + stateDir), stopped.err());
        }
    }

    @Test
    void failsClearlyWhenNoSupervisorRunsForTheStateDirectory() {
        Run r = braid("status", "--json", "--state-dir", dir.toString());
        assertEquals(1, r.exitCode(), r.out() + r.err());
        assertEquals("", r.out(), "nothing on stdout for a script to mistake for status");
        assertTrue(r.err().startsWith("braid status: cannot reach the supervisor at " + dir.resolve("control.sock")), r.err());
        assertTrue(r.err().contains("is the site running?"), r.err());
    }

    private static String logs(SiteLab lab) {
        return "--- site A\n" + SiteLab.tail(lab.a.log(), 30) + "\n--- site B\n" + SiteLab.tail(lab.b.log(), 30);
    }
}
