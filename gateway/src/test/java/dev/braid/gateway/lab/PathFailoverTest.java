package dev.braid.gateway.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.instance.counters.CountersFile;

/**
 * A worker killed with SIGKILL on one site while 12 long TCP flows run over 3 paths: flows that
 * used the dead path in neither direction must not notice (bytes in every 100 ms); the path must
 * leave the nexthop group on both sites within 1 s; the flows that used it must resume within 1 s
 * of that; the worker must be back and its path in both groups within 10 s; no flow stays broken.
 */
@Tag("netns")
class PathFailoverTest {
    @TempDir
    Path dir;

    @Test
    void aKilledWorkerLeavesTheGroupOnBothSitesAndComesBack() throws Exception {
        try (SiteLab lab = SiteLab.build(dir, SiteLab.Options.workers(3))) {
            lab.startSupervisors();
            assertTrue(lab.awaitSessions(Duration.ofSeconds(30)), "paths up");
            try (FailoverRun run = FailoverRun.start(lab, dir, 12, 24)) {
                run.waitUntilSecond(4);
                // path 1 unless the hash gave it no flow this time
                FailoverRun.UsedPath used = run.pathCarryingFlows(lab.a, 3, 1, Duration.ofSeconds(2));
                int killed = used.path();
                long killedNexthop = used.nexthop();
                Set<Integer> usedKilledPath = used.flows();
                run.waitUntilSecond(7);

                long pid;
                try (CountersFile c = CountersFile.open(lab.a.countersFile(killed))) {
                    pid = c.pid();
                }
                long killNanos = System.nanoTime();
                ProcessHandle.of(pid).orElseThrow().destroyForcibly();
                run.markEvent(killNanos);

                long outA = run.awaitGroup(lab.a, killedNexthop, false, Duration.ofSeconds(5));
                long outB = run.awaitGroup(lab.b, killedNexthop, false, Duration.ofSeconds(5));
                System.out.printf("path %d out of the group: site A %.0f ms, site B %.0f ms after the kill%n", killed,
                        (outA - killNanos) / 1e6, (outB - killNanos) / 1e6);
                assertTrue(outA - killNanos < 1_000_000_000L, "site A withdrew the path within 1 s");
                assertTrue(outB - killNanos < 1_000_000_000L, "site B withdrew the path within 1 s");

                long backA = run.awaitGroup(lab.a, killedNexthop, true, Duration.ofSeconds(15));
                long backB = run.awaitGroup(lab.b, killedNexthop, true, Duration.ofSeconds(15));
                System.out.printf("path %d back in the group: site A %.1f s, site B %.1f s after the kill%n", killed,
                        (backA - killNanos) / 1e9, (backB - killNanos) / 1e9);
                assertTrue(backA - killNanos < 10_000_000_000L && backB - killNanos < 10_000_000_000L,
                        "the worker is back and its path re-added within 10 s");

                FailoverRun.Result result = run.finish();
                result.assertFailover(usedKilledPath, killNanos, Math.max(outA, outB));
            }
        }
    }

    static List<Integer> ports(Set<Integer> s) {
        return s.stream().sorted().toList();
    }
}
