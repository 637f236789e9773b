package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.util.List;

import dev.braid.instance.worker.WorkerConfig;
import dev.braid.instance.worker.WorkerMain;

/** `braid worker ...`: runs one tunnel worker in this process (the supervisor starts them itself). */
final class WorkerCommand implements CliCommand {
    @Override
    public String name() {
        return "worker";
    }

    @Override
    public String summary() {
        return "run one tunnel worker (normally started by `braid run`; pairs with stock WireGuard too)";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(WorkerConfig.USAGE);
            return OK;
        }
        return WorkerMain.run(args);
    }
}
