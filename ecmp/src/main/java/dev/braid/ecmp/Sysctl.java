package dev.braid.ecmp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Reads and writes kernel parameters under {@code /proc/sys} by their dotted names
 * ({@code net.ipv4.ip_forward}). Network sysctls are per network namespace: the kernel shows the
 * namespace of the thread that opens the file, so {@link #inNamespace} does its file I/O on a
 * thread that has joined the namespace.
 *
 * <p>Names follow sysctl(8): dots separate levels, or slashes when a level itself contains dots
 * ({@code net/ipv4/conf/eth0.100/forwarding}).
 */
public final class Sysctl implements AutoCloseable {
    private static final Path ROOT = Path.of("/proc/sys");

    private final NamespaceThread thread; // null: the calling thread's namespace
    private final boolean ownsThread;

    private Sysctl(NamespaceThread thread, boolean ownsThread) {
        this.thread = thread;
        this.ownsThread = ownsThread;
    }

    /** Sysctls as the calling thread sees them (the supervisor's own namespace). */
    public static Sysctl host() {
        return new Sysctl(null, false);
    }

    /** Sysctls of {@code /var/run/netns/<namespaceName>}; close it to end its thread. */
    public static Sysctl inNamespace(String namespaceName) {
        return new Sysctl(NamespaceThread.enter(namespaceName), true);
    }

    /** Sysctls on an existing namespace thread, which the caller keeps owning. */
    static Sysctl on(NamespaceThread thread) {
        return new Sysctl(thread, false);
    }

    /** The file behind a key: {@code net.ipv4.ip_forward} is {@code /proc/sys/net/ipv4/ip_forward}. */
    public static Path path(String key) {
        if (key == null || key.isBlank() || key.contains("..") || key.startsWith("/") || key.startsWith(".")) {
            throw new IllegalArgumentException("bad sysctl name \"" + key + "\"");
        }
        String relative = key.contains("/") ? key : key.replace('.', '/');
        return ROOT.resolve(relative);
    }

    /** The current value without its trailing newline, or empty when the key does not exist here. */
    public Optional<String> read(String key) {
        Path p = path(key);
        return run(() -> {
            try {
                return Optional.of(strip(Files.readString(p, StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read sysctl " + key + " (" + p + "): " + e.getMessage(), e);
            }
        });
    }

    /** The current value; throws when the key does not exist. */
    public String get(String key) {
        return read(key).orElseThrow(() -> new IllegalArgumentException(
                "no sysctl " + key + " (" + path(key) + " does not exist)"));
    }

    public void write(String key, String value) {
        Path p = path(key);
        run(() -> {
            try {
                Files.writeString(p, value + "\n", StandardCharsets.UTF_8);
                return null;
            } catch (NoSuchFileException e) {
                throw new UncheckedIOException("no sysctl " + key + " (" + p + " does not exist)", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set sysctl " + key + "=" + value + " (" + p + "): "
                        + e.getMessage(), e);
            }
        });
    }

    private <T> T run(Callable<T> task) {
        if (thread != null) {
            return thread.call(task);
        }
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String strip(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    @Override
    public void close() {
        if (ownsThread) {
            thread.close();
        }
    }

    @Override
    public String toString() {
        return thread == null ? "Sysctl[own namespace]" : "Sysctl[netns " + thread.namespaceName() + "]";
    }
}
