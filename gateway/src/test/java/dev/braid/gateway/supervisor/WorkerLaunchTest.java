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

    private SitePlan plan(int workers, int cores) throws IOException, ConfigException {
        SiteFiles files = new SiteFiles(dir);
        String yaml = files.configAWith("workers: 4", "workers: " + workers + "\nallow_oversubscription: true");
        return SiteFiles.plannerWithCores(cores).plan(SiteConfigLoader.load(files.write("site.yaml", yaml)));
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
    void workersSharingACpuDoNot() throws Exception {
        // three workers on two CPUs: CPU 1 carries workers 0 and 2, CPU 2 worker 1 alone
        SitePlan plan = plan(3, 2);
        List<String> spins = plan.workers().stream()
                .map(w -> flag(WorkerLaunch.workerFlags(plan, w, 200), "--reply-spin-us")).toList();
        assertEquals(List.of("0", "500", "0"), spins);
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
