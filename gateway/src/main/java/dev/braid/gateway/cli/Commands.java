package dev.braid.gateway.cli;

import java.util.List;

/** The commands `braid` knows, in the order `braid help` lists them. */
public final class Commands {
    private Commands() {
    }

    public static List<CliCommand> all() {
        return List.of(new KeyCommands.Genkey(), new KeyCommands.Pubkey(), new CheckCommand(), new RunCommand(), new StatusCommand(), new CleanupCommand(),
                new DemoCommand(), new dev.braid.gateway.bench.BenchCommand(), new WorkerCommand());
    }
}
