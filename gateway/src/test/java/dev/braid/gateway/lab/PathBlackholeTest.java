package dev.braid.gateway.lab;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path that dies while both of its workers live: the relay between the sites drops every datagram
 * of one worker pair. Same expectations as a killed worker — the path leaves both groups within 1 s
 * (here both sites find out only from silence: dead_after), the flows on it resume within 1 s of
 * that, the others never notice — and when the path carries again it is back within 10 s.
 */
@Tag("netns")
class PathBlackholeTest {
    @TempDir
    Path dir;

    @Test
    void aSilentPathLeavesBothGroupsAndReturnsWhenItCarriesAgain() throws Exception {
        try (SiteLab lab = SiteLab.build(dir, SiteLab.Options.relayed(3))) {
            lab.startSupervisors();
            assertTrue(lab.awaitSessions(Duration.ofSeconds(30)), "paths up");
            try (FailoverRun run = FailoverRun.start(lab, dir, 12, 22)) {
                run.waitUntilSecond(3);
                // path 2 unless the hash gave it no flow this time
                FailoverRun.UsedPath used = run.pathCarryingFlows(lab.a, 3, 2, Duration.ofSeconds(2));
                int dead = used.path();
                long deadNexthop = used.nexthop();
                Set<Integer> usedDeadPath = used.flows();
                run.waitUntilSecond(6);

                long silenced = System.nanoTime();
                lab.relay().blackhole(SiteLab.BASE_PORT + dead, true);
                long outA = run.awaitGroup(lab.a, deadNexthop, false, Duration.ofSeconds(5));
                long outB = run.awaitGroup(lab.b, deadNexthop, false, Duration.ofSeconds(5));
                System.out.printf("blackholed path %d out of the group: site A %.0f ms, site B %.0f ms%n", dead,
                        (outA - silenced) / 1e6, (outB - silenced) / 1e6);
                assertTrue(outA - silenced < 1_000_000_000L, "site A withdrew the silent path within 1 s");
                assertTrue(outB - silenced < 1_000_000_000L, "site B withdrew the silent path within 1 s");

                run.waitUntilSecond(11);
                long reopened = System.nanoTime();
                lab.relay().blackhole(SiteLab.BASE_PORT + dead, false);
                long backA = run.awaitGroup(lab.a, deadNexthop, true, Duration.ofSeconds(15));
                long backB = run.awaitGroup(lab.b, deadNexthop, true, Duration.ofSeconds(15));
                System.out.printf("path %d back in the group: site A %.2f s, site B %.2f s after it carried again%n", dead,
                        (backA - reopened) / 1e9, (backB - reopened) / 1e9);
                assertTrue(backA - reopened < 10_000_000_000L && backB - reopened < 10_000_000_000L,
                        "the path is re-added within 10 s");

                FailoverRun.Result result = run.finish();
                result.assertFailover(usedDeadPath, silenced, Math.max(outA, outB));
            }
        }
    }
}
