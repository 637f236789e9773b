package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.util.List;

/** One `braid <name>` command. Exit status: 0 done, 1 failed while running, 2 bad usage or config. */
public interface CliCommand {
    int OK = 0;
    int FAILED = 1;
    int USAGE = 2;

    String name();

    /** One line for `braid help`. */
    String summary();

    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
