package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.nio.file.Path;

import dev.braid.gateway.config.ConfigError;
import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.gateway.plan.SitePlan;
import dev.braid.gateway.plan.SitePlanner;

/**
 * Config → plan for the commands that start from a site config (check, run, cleanup): every
 * problem is printed as FILE:LINE: FIELD: problem and the command exits 2 before touching anything.
 */
final class SitePlanLoading {
    /** A plan, or the exit status to return instead. */
    record Outcome(SitePlan plan, int exitStatus) {
    }

    private SitePlanLoading() {
    }

    static Outcome load(Path file, SitePlanner planner, PrintStream err, String command) {
        try {
            return new Outcome(planner.plan(SiteConfigLoader.load(file)), CliCommand.OK);
        } catch (ConfigException e) {
            for (ConfigError error : e.errors()) {
                err.println(error);
            }
            int count = e.errors().size();
            err.println("braid " + command + ": " + count + (count == 1 ? " problem" : " problems") + " in " + file
                    + "; nothing was changed");
            return new Outcome(null, CliCommand.USAGE);
        } catch (RuntimeException e) {
            // the CPU topology could not be read: not the config's fault, so not status 2
            err.println("braid " + command + ": cannot plan the workers' CPUs on this machine: " + e.getMessage());
            return new Outcome(null, CliCommand.FAILED);
        }
    }
}
