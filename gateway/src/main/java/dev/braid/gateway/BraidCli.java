package dev.braid.gateway;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.braid.gateway.cli.CliCommand;
import dev.braid.gateway.cli.Commands;

/**
 * Entry point of the `braid` command: picks the subcommand and hands it the remaining arguments.
 * Every command returns an exit status; uncaught failures print one line (the stack trace only
 * with BRAID_DEBUG=1) and exit 1.
 */
public final class BraidCli {
    private BraidCli() {
    }

    public static void main(String[] argv) {
        System.exit(run(List.of(argv), System.out, System.err));
    }

    public static int run(List<String> argv, PrintStream out, PrintStream err) {
        Map<String, CliCommand> commands = new LinkedHashMap<>();
        for (CliCommand c : Commands.all()) {
            commands.put(c.name(), c);
        }
        if (argv.isEmpty() || List.of("help", "-h", "--help").contains(argv.getFirst())) {
            usage(commands, argv.isEmpty() ? err : out);
            return argv.isEmpty() ? CliCommand.USAGE : CliCommand.OK;
        }
        if (List.of("version", "--version", "-V").contains(argv.getFirst())) {
            out.println("braid " + Version.text());
            return CliCommand.OK;
        }
        CliCommand command = commands.get(argv.getFirst());
        if (command == null) {
            err.println("braid: unknown command '" + argv.getFirst() + "'");
            usage(commands, err);
            return CliCommand.USAGE;
        }
        try {
            return command.run(new ArrayList<>(argv.subList(1, argv.size())), out, err);
        } catch (Exception e) {
            err.println("braid " + command.name() + ": " + e.getMessage());
            if (System.getenv("BRAID_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return CliCommand.FAILED;
        }
    }

    private static void usage(Map<String, CliCommand> commands, PrintStream to) {
        to.println("usage: braid <command> [arguments]\n");
        for (CliCommand c : commands.values()) {
            to.printf("  %-8s %s%n", c.name(), c.summary());
        }
        to.printf("  %-8s %s%n", "version", "print the version");
    }
}
