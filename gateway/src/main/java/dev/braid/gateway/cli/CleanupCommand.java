package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.braid.ecmp.Netlink;
import dev.braid.ecmp.SiteRouting;
import dev.braid.ecmp.UndoReport;
import dev.braid.gateway.plan.SitePlanner;

/**
 * `braid cleanup CONFIG`: removes what a supervisor that was killed (kill -9, power loss of its
 * process) left in the kernel, by undoing its change journal — without starting the site again.
 * Refuses while a supervisor of the site is running. `braid run` does the same by itself on start.
 */
final class CleanupCommand implements CliCommand {
    @Override
    public String name() {
        return "cleanup";
    }

    @Override
    public String summary() {
        return "undo what a killed supervisor of a site left behind (links, addresses, routes, sysctls)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.size() != 1 || args.getFirst().startsWith("-")) {
            err.println("usage: braid cleanup CONFIG");
            return USAGE;
        }
        SitePlanLoading.Outcome loaded = SitePlanLoading.load(Path.of(args.getFirst()), SitePlanner.forThisMachine(), err,
                name());
        if (loaded.plan() == null) {
            return loaded.exitStatus();
        }
        Path stateDir = loaded.plan().stateDir();
        if (!Files.isDirectory(stateDir)) {
            out.println("nothing to clean up: " + stateDir + " does not exist");
            return OK;
        }
        try (Netlink netlink = Netlink.open()) {
            SiteRouting routing;
            try {
                routing = SiteRouting.begin(stateDir, netlink);
            } catch (IllegalStateException e) {
                err.println("braid cleanup: " + e.getMessage() + "; stop it instead (SIGTERM cleans up)");
                return FAILED;
            }
            UndoReport undone = routing.previousRunCleanup();
            routing.teardown();
            if (undone.isEmpty()) {
                out.println("nothing to clean up for site " + loaded.plan().site());
            } else {
                undone.outcomes().forEach(o -> out.println("  " + o));
                out.println(undone.isClean() ? "cleaned up site " + loaded.plan().site()
                        : "some changes could not be undone (see above)");
            }
            return undone.isClean() ? OK : FAILED;
        }
    }
}
