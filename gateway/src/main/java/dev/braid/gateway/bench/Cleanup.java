package dev.braid.gateway.bench;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Netns;

/**
 * What must go away however the bench ends. Labs are registered while they exist; a shutdown hook
 * (Ctrl-C, SIGTERM) first lets the run write what it has, then closes every registered lab and
 * finally removes any namespace this JVM created that is still there (a lab interrupted halfway
 * through its build): SIGTERM to what runs inside — Braid supervisors clean up on it — then
 * SIGKILL, then `ip netns del`. A normal end closes the labs itself and unregisters the hook.
 */
final class Cleanup implements AutoCloseable {
    private final Deque<AutoCloseable> open = new ArrayDeque<>();
    private final Runnable beforeClosing;
    private final Thread hook;
    private volatile boolean shuttingDown;

    /** @param beforeClosing run first in the shutdown hook (write the partial results) */
    Cleanup(Runnable beforeClosing) {
        this.beforeClosing = beforeClosing;
        this.hook = new Thread(this::onShutdown, "braid-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** True once the JVM is shutting down: the run should stop starting things. */
    boolean cancelled() {
        return shuttingDown;
    }

    /** Registers a lab; during shutdown the lab is closed at once and the caller told to stop. */
    synchronized void add(AutoCloseable lab) {
        if (shuttingDown) {
            closeQuietly(lab);
            throw new IllegalStateException("interrupted: the bench is shutting down");
        }
        open.push(lab);
    }

    synchronized void remove(AutoCloseable lab) {
        open.remove(lab);
    }

    private void onShutdown() {
        shuttingDown = true;
        try {
            beforeClosing.run();
        } catch (RuntimeException e) {
            System.err.println("braid bench: could not write partial results: " + e.getMessage());
        }
        closeAll();
        removeOwnNamespaces();
    }

    private void closeAll() {
        while (true) {
            AutoCloseable next;
            synchronized (this) {
                next = open.poll();
            }
            if (next == null) {
                return;
            }
            closeQuietly(next);
        }
    }

    /** Namespaces named braidlab-PID-... for this JVM's pid that no registered lab closed. */
    private static void removeOwnNamespaces() {
        String own = Netns.PREFIX + ProcessHandle.current().pid() + "-";
        Command.Result list = Command.run(Duration.ofSeconds(10), List.of("ip", "netns", "list"));
        if (!list.ok()) {
            return;
        }
        for (String line : list.stdout().split("\n")) {
            String ns = line.strip().split("\\s+")[0];
            if (!ns.startsWith(own)) {
                continue;
            }
            for (int round = 0; round < 30; round++) {
                Command.Result pids = Command.run(Duration.ofSeconds(10), List.of("ip", "netns", "pids", ns));
                String text = pids.ok() ? pids.stdout().strip() : "";
                if (text.isEmpty()) {
                    break;
                }
                boolean late = round >= 20; // 2 s of SIGTERM, then SIGKILL
                for (String pid : text.split("\\s+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(h -> {
                        if (late) {
                            h.destroyForcibly();
                        } else {
                            h.destroy();
                        }
                    });
                }
                Netns.sleep(100);
            }
            Command.run(Duration.ofSeconds(10), List.of("ip", "netns", "del", ns));
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("braid bench: cleanup: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            return; // the hook is doing the work
        }
        closeAll();
    }
}
