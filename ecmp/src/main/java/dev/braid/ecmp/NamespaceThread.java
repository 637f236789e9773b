package dev.braid.ecmp;

import com.sun.jna.LastErrorException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A dedicated platform thread that has joined a named network namespace (setns(2) on the fd of
 * {@code /var/run/netns/<name>}) and runs the tasks handed to it there. Only this thread moves: the
 * rest of the JVM stays where it was. What it creates keeps its namespace for life — a netlink
 * socket opened here talks to that namespace from any thread — and what it opens under
 * {@code /proc/sys/net} shows that namespace's sysctls.
 *
 * <p>Used by tests, the demo and the lab to act inside namespaces they made; the supervisor itself
 * works in the namespace it was started in and does not need it.
 */
public final class NamespaceThread implements AutoCloseable {
    private static final Path NETNS_DIR = Path.of("/var/run/netns");

    private final String namespaceName;
    private final LinkedBlockingQueue<Task<?>> tasks = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    private NamespaceThread(String namespaceName) {
        this.namespaceName = namespaceName;
        this.thread = Thread.ofPlatform().daemon().name("netns-" + namespaceName).unstarted(this::loop);
    }

    /** Starts the thread and moves it into {@code /var/run/netns/<namespaceName>}. */
    public static NamespaceThread enter(String namespaceName) {
        if (namespaceName.isEmpty() || namespaceName.contains("/") || namespaceName.equals(".")
                || namespaceName.equals("..")) {
            throw new IllegalArgumentException("bad network namespace name \"" + namespaceName + "\"");
        }
        Path path = NETNS_DIR.resolve(namespaceName);
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("no network namespace \"" + namespaceName + "\" (" + path
                    + " does not exist; see ip netns list)");
        }
        NamespaceThread t = new NamespaceThread(namespaceName);
        t.thread.start();
        try {
            t.call(() -> {
                join(path);
                return null;
            });
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private static void join(Path path) {
        LibC c = LibC.INSTANCE;
        int fd;
        try {
            fd = c.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new NetlinkException("open " + path, e.getErrorCode(), "");
        }
        try {
            c.setns(fd, LibC.CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new NetlinkException("setns to " + path + " (needs CAP_SYS_ADMIN)", e.getErrorCode(), "");
        } finally {
            try {
                c.close(fd);
            } catch (LastErrorException ignored) {
                // the namespace is joined (or not) whatever close says
            }
        }
    }

    public String namespaceName() {
        return namespaceName;
    }

    /** Runs {@code task} on the namespace thread and waits for it; its exception is rethrown. */
    public <T> T call(Callable<T> task) {
        if (Thread.currentThread() == thread) {
            try {
                return task.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
        if (closed) {
            throw new IllegalStateException("namespace thread for " + namespaceName + " is closed");
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(new Task<>(task, result));
        if (closed) {
            failPending();
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the namespace thread", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause.getMessage(), cause);
        }
    }

    private void loop() {
        while (!closed) {
            try {
                Task<?> t = tasks.poll(200, TimeUnit.MILLISECONDS);
                if (t != null) {
                    t.run();
                }
            } catch (InterruptedException e) {
                break;
            }
        }
        failPending();
    }

    private void failPending() {
        for (Task<?> t; (t = tasks.poll()) != null; ) {
            t.result.completeExceptionally(
                    new IllegalStateException("namespace thread for " + namespaceName + " was closed"));
        }
    }

    private record Task<T>(Callable<T> callable, CompletableFuture<T> result) {
        void run() {
            try {
                result.complete(callable.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "NamespaceThread[" + namespaceName + "]";
    }
}
