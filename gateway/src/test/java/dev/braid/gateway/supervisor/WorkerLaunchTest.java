package dev.braid.gateway.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.gateway.config.SiteFiles;
import dev.braid.gateway.plan.SitePlan;
import dev.braid.gateway.plan.WorkerPlan;

class WorkerLaunchTest {
    @TempDir
    Path dir;

    /** A plan from SiteFiles' made-up planner: worker i on CPU 1 + i % cores, housekeeping on CPU 0. */
    private SitePlan plan(int workers, int cores) throws IOException, ConfigException {
        return SiteFiles.plannerWithCores(cores).plan(SiteConfigLoader.load(config(workers)));
    }

    private Path config(int workers) throws IOException {
        SiteFiles files = new SiteFiles(dir);
        String yaml = files.configAWith("workers: 4", "workers: " + workers + "\nallow_oversubscription: true");
        return files.write("site.yaml", yaml);
    }

    /** Every CPU given to workers (worker i on CPU i), none spare for housekeeping. */
    private SitePlan planWithoutHousekeeping(int workers) throws IOException, ConfigException {
        return SiteFiles.plannerWithCores(workers, false).plan(SiteConfigLoader.load(config(workers)));
    }

    private static String flag(List<String> flags, String name) {
        return flags.get(flags.indexOf(name) + 1);
    }

    @Test
    void aWorkerWithItsCpuToItselfLongPollsForTheAnswer() throws Exception {
        SitePlan plan = plan(2, 2);
        for (WorkerPlan w : plan.workers()) {
            assertEquals("500", flag(WorkerLaunch.workerFlags(plan, w, 200), "--reply-spin-us"), "worker " + w.index());
        }
    }

    @Test
    void noWorkerOfASiteThatSharesCpusDoes() throws Exception {
        // three workers on two CPUs: CPU 1 carries workers 0 and 2; worker 1 has CPU 2 alone, but its
        // long poll on the other site's CPUs stalled flows in the failover lab too (WorkerLaunch)
        SitePlan plan = plan(3, 2);
        List<String> spins = plan.workers().stream()
                .map(w -> flag(WorkerLaunch.workerFlags(plan, w, 200), "--reply-spin-us")).toList();
        assertEquals(List.of("0", "0", "0"), spins);
    }

    @Test
    void withoutAHousekeepingCpuToo() throws Exception {
        // two workers on two CPUs and no housekeeping CPU: each has its CPU, GC and JIT run there too
        SitePlan plan = planWithoutHousekeeping(2);
        for (WorkerPlan w : plan.workers()) {
            assertEquals("500", flag(WorkerLaunch.workerFlags(plan, w, 200), "--reply-spin-us"), "worker " + w.index());
        }
    }

    @Test
    void theOtherFlagsCarryThePlan() throws Exception {
        SitePlan plan = plan(2, 2);
        WorkerPlan w = plan.workers().get(1);
        List<String> flags = WorkerLaunch.workerFlags(plan, w, 200);
        assertEquals(Integer.toString(w.cpu()), flag(flags, "--cpu"));
        assertEquals("200", flag(flags, "--keepalive-interval-ms"));
        assertEquals(w.tunName(), flag(flags, "--tun"));
    }
}
