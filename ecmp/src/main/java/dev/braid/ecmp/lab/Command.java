package dev.braid.ecmp.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command to completion with a time bound and captures what it printed.
 * Used by the lab (namespaces, veths, iperf3, ping); the product's own routes go through netlink.
 */
public final class Command {
    private Command() {
    }

    public record Result(List<String> command, int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }

        public Result orThrow() {
            if (exitCode != 0) {
                throw new CommandFailed(this);
            }
            return this;
        }
    }

    public static final class CommandFailed extends RuntimeException {
        private final Result result;

        CommandFailed(Result result) {
            super(String.join(" ", result.command()) + " exited " + result.exitCode()
                    + (result.stderr().isBlank() ? "" : ": " + result.stderr().strip())
                    + (result.stdout().isBlank() ? "" : " (stdout: " + abbreviate(result.stdout().strip()) + ")"));
            this.result = result;
        }

        public Result result() {
            return result;
        }
    }

    /** Runs and waits at most {@code timeout}; a command still running then is killed (exit code -1). */
    public static Result run(Duration timeout, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Result(command, 127, "", "cannot start: " + e.getMessage());
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        boolean done;
        try {
            done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        if (!done) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String stdout = out.getNow("");
        String stderr = err.getNow("");
        try {
            stdout = out.get(2, TimeUnit.SECONDS);
            stderr = err.get(2, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // a grandchild may hold the pipe open; what was read so far is enough
        }
        return new Result(command, done ? p.exitValue() : -1, stdout,
                done ? stderr : stderr + "\n(killed after " + timeout.toMillis() + " ms)");
    }

    public static Result run(List<String> command) {
        return run(Duration.ofSeconds(30), command);
    }

    public static Result run(String... command) {
        return run(List.of(command));
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }, Thread::startVirtualThread);
    }

    static String abbreviate(String s) {
        return s.length() <= 400 ? s : s.substring(0, 400) + "…";
    }
}
