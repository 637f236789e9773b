package dev.braid.ecmp.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace made by the lab (tests, `braid demo`, benchmarks), with everything started in
 * it. Closing it ends the processes first — a process left inside keeps the namespace and its veth
 * ends alive after `ip netns del` — and then deletes the namespace. Names carry the creating JVM's
 * pid so that {@link #sweepStale} can remove what a killed run left behind without touching the
 * namespaces of a run still going.
 */
public final class Netns implements AutoCloseable {
    public static final String PREFIX = "braidlab-";
    private static final Duration STEP = Duration.ofSeconds(20);

    private final String name;
    private final List<Process> processes = new ArrayList<>();
    private boolean closed;

    private Netns(String name) {
        this.name = name;
    }

    /** Creates {@code braidlab-<pid>-<tag>-<random>} with loopback up. */
    public static Netns create(String tag) {
        String name = PREFIX + ProcessHandle.current().pid() + "-" + tag + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        Command.run("ip", "netns", "add", name).orThrow();
        Netns ns = new Netns(name);
        try {
            ns.ip("link", "set", "lo", "up");
            // lab links never collide: skip IPv6 duplicate address detection, whose "tentative"
            // phase would otherwise make the namespace's state change by itself for a second or two
            Command.run(STEP, List.of("ip", "netns", "exec", name, "sysctl", "-q", "-w",
                    "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0")).orThrow();
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** The prefix of a command that runs inside this namespace. */
    public List<String> exec(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Runs to completion inside the namespace; throws with the command's stderr when it fails. */
    public Command.Result run(String... command) {
        return Command.run(STEP, exec(List.of(command))).orThrow();
    }

    public Command.Result run(Duration timeout, List<String> command) {
        return Command.run(timeout, exec(command)).orThrow();
    }

    /** Runs to completion inside the namespace and returns the result whatever the exit code. */
    public Command.Result tryRun(Duration timeout, List<String> command) {
        return Command.run(timeout, exec(command));
    }

    /** {@code ip -n <ns> ...}: iproute2 switches namespace itself, cheaper than {@code ip netns exec}. */
    public Command.Result ip(String... args) {
        List<String> full = new ArrayList<>(List.of("ip", "-n", name));
        full.addAll(List.of(args));
        return Command.run(STEP, full).orThrow();
    }

    /** Sets a sysctl inside the namespace (the lab's own namespaces only). */
    public void sysctl(String key, String value) {
        run("sysctl", "-q", "-w", key + "=" + value);
    }

    /**
     * Starts a long-running process inside the namespace, output appended to {@code log}. It is
     * ended when the namespace is closed.
     */
    public synchronized Process start(List<String> command, Path log) throws IOException {
        if (closed) {
            throw new IllegalStateException("namespace " + name + " is closed");
        }
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(exec(command))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Pings until one reply arrives or the deadline passes: new veth paths drop their first packets. */
    public boolean waitForPing(String destination, Duration deadline, String... extraArgs) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            List<String> cmd = new ArrayList<>(List.of("ping", "-c", "1", "-W", "1", "-q"));
            cmd.addAll(List.of(extraArgs));
            cmd.add(destination);
            if (tryRun(Duration.ofSeconds(3), cmd).ok()) {
                return true;
            }
            sleep(100);
        }
        return false;
    }

    /** Pids of every process inside the namespace, as the kernel sees them. */
    public List<Long> pids() {
        Command.Result r = Command.run(STEP, List.of("ip", "netns", "pids", name));
        List<Long> pids = new ArrayList<>();
        if (r.ok()) {
            for (String line : r.stdout().split("\\s+")) {
                if (!line.isBlank()) {
                    pids.add(Long.parseLong(line.strip()));
                }
            }
        }
        return pids;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        killAllIn(name);
        Command.run(STEP, List.of("ip", "netns", "del", name));
    }

    private static void killAllIn(String ns) {
        for (int attempt = 0; attempt < 50; attempt++) {
            Command.Result r = Command.run(STEP, List.of("ip", "netns", "pids", ns));
            String pids = r.ok() ? r.stdout().strip() : "";
            if (pids.isEmpty()) {
                return;
            }
            for (String pid : pids.split("\\s+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                    if (attemptIsLate(h)) {
                        h.destroyForcibly();
                    } else {
                        h.destroy();
                    }
                });
            }
            sleep(100);
        }
    }

    private static boolean attemptIsLate(ProcessHandle h) {
        // SIGTERM first; anything still there half a second after its start is killed outright
        return h.info().startInstant().map(s -> s.isBefore(java.time.Instant.now().minusMillis(500))).orElse(true);
    }

    /**
     * Deletes lab namespaces whose creating process is gone (a test run that was killed), so that
     * a new run starts clean. Namespaces of live runs are left alone.
     */
    public static void sweepStale() {
        Command.Result r = Command.run(STEP, List.of("ip", "netns", "list"));
        if (!r.ok()) {
            return;
        }
        for (String line : r.stdout().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (!ns.startsWith(PREFIX)) {
                continue;
            }
            String rest = ns.substring(PREFIX.length());
            int dash = rest.indexOf('-');
            long owner;
            try {
                owner = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(owner).isEmpty()) {
                killAllIn(ns);
                Command.run(STEP, List.of("ip", "netns", "del", ns));
            }
        }
    }

    /** Joins two namespaces with a veth pair, names at most 15 characters each. */
    public static void veth(Netns a, String aIf, Netns b, String bIf) {
        Command.run(STEP, List.of("ip", "-n", a.name, "link", "add", aIf, "type", "veth",
                "peer", "name", bIf, "netns", b.name)).orThrow();
        a.ip("link", "set", aIf, "up");
        b.ip("link", "set", bIf, "up");
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
