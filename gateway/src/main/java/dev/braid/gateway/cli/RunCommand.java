package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import dev.braid.gateway.plan.SitePlanner;
import dev.braid.gateway.supervisor.Supervisor;

/**
 * `braid run CONFIG`: the site supervisor in the foreground (what braid.service runs). Checks the
 * config first and exits 2 without touching anything if it is wrong; otherwise runs until SIGTERM
 * or SIGINT, then removes everything it added.
 */
final class RunCommand implements CliCommand {
    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "run a site: start its workers, program ECMP routes, supervise until stopped";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.size() != 1 || args.getFirst().startsWith("-")) {
            err.println("usage: braid run CONFIG");
            return USAGE;
        }
        SitePlanLoading.Outcome loaded = SitePlanLoading.load(Path.of(args.getFirst()), SitePlanner.forThisMachine(), err,
                name());
        if (loaded.plan() == null) {
            return loaded.exitStatus();
        }
        if (!System.getProperty("user.name", "").equals("root") && ProcessHandle.current().info().user()
                .map(u -> !u.equals("root")).orElse(true)) {
            err.println("braid run: warning: not running as root; creating TUN devices and routes needs CAP_NET_ADMIN");
        }
        Supervisor supervisor = new Supervisor(loaded.plan());
        dev.braid.gateway.status.SiteServices.attach(supervisor);
        return supervisor.run();
    }
}
