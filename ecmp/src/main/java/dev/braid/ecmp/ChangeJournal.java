package dev.braid.ecmp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Append-only record of every change Braid makes to the system, in the site's state directory.
 * Write-ahead: {@link #append} writes the line and fsyncs it BEFORE the caller makes the change, so
 * a supervisor killed at any instant leaves a journal naming everything it may have done (at worst
 * one entry whose change never happened, which undo then finds "already gone").
 *
 * <p>{@link #undoAll} reads the file, undoes entries newest first, tolerates "already gone"
 * (ENODEV, ESRCH, ENOENT, EADDRNOTAVAIL), reports anything else, and deletes the file. A journal
 * written during an earlier boot of the kernel is not undone — links, addresses, routes, nexthops
 * and sysctls do not survive a reboot, and putting old sysctl values back would undo the boot's own
 * configuration — only removed. The format is one human-readable line per entry ({@link JournalEntry}).
 */
public final class ChangeJournal {
    public static final String FILE_NAME = "changes.journal";
    private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    private final Path path;
    private final Clock clock;
    private final String bootId;
    private final Set<String> journaledKeys = new HashSet<>();
    private FileChannel channel;

    private ChangeJournal(Path path, Clock clock, String bootId) {
        this.path = path;
        this.clock = clock;
        this.bootId = bootId;
    }

    /** A journal in {@code stateDir} (created when missing); the file itself appears on the first append. */
    public static ChangeJournal in(Path stateDir) {
        return in(stateDir, Clock.systemUTC(), currentBootId());
    }

    static ChangeJournal in(Path stateDir, Clock clock, String bootId) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create state directory " + stateDir + ": " + e.getMessage(), e);
        }
        return new ChangeJournal(stateDir.resolve(FILE_NAME), clock, bootId);
    }

    public Path path() {
        return path;
    }

    public boolean exists() {
        return Files.exists(path);
    }

    /**
     * Appends {@code entry} and forces it to disk. An entry with the same {@link JournalEntry#key}
     * as one this object already wrote is skipped (returns false): the change is already covered.
     */
    public synchronized boolean append(JournalEntry entry) {
        if (!journaledKeys.add(entry.key())) {
            return false;
        }
        try {
            if (channel == null) {
                boolean fresh = !Files.exists(path);
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
                if (fresh) {
                    write("# Braid change journal: what the supervisor changed on this system, oldest first.\n"
                            + "# If the supervisor dies, its next start undoes these in reverse order. Do not edit.\n"
                            + JournalEntry.line(clock.instant(),
                            new JournalEntry.Started(bootId, ProcessHandle.current().pid())) + "\n");
                    syncDirectory();
                }
            }
            write(JournalEntry.line(clock.instant(), entry) + "\n");
            return true;
        } catch (IOException e) {
            journaledKeys.remove(entry.key());
            throw new UncheckedIOException("cannot write change journal " + path + ": " + e.getMessage(), e);
        }
    }

    private void write(String text) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            channel.write(b);
        }
        channel.force(false);
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(path.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some file systems refuse to sync a directory; the file's own data is synced
        }
    }

    /** A line that could not be read back, with its 1-based line number. */
    public record UnreadableLine(int lineNumber, String text, String problem) {
    }

    /** What the file holds now (empty when there is none). */
    public synchronized List<JournalEntry> entries() {
        return read().entries();
    }

    private record Contents(List<JournalEntry> entries, List<UnreadableLine> unreadable) {
    }

    private Contents read() {
        List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Contents(List.of(), List.of());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read change journal " + path + ": " + e.getMessage(), e);
        }
        List<JournalEntry> entries = new ArrayList<>();
        List<UnreadableLine> unreadable = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            try {
                entries.add(JournalEntry.parse(line));
            } catch (RuntimeException e) {
                // a torn last line is a write cut short by a crash: its change was never made
                boolean tornTail = i == lines.size() - 1;
                if (!tornTail) {
                    unreadable.add(new UnreadableLine(i + 1, line, e.getMessage()));
                }
            }
        }
        return new Contents(entries, unreadable);
    }

    /** Undoes everything in the file, newest first, then deletes the file. */
    public synchronized UndoReport undoAll(JournalEntry.Undoer undoer) {
        closeChannel();
        Contents contents = read();
        List<UndoReport.Outcome> outcomes = new ArrayList<>();
        for (UnreadableLine u : contents.unreadable()) {
            outcomes.add(new UndoReport.Outcome(new JournalEntry.Note("line " + u.lineNumber() + ": " + u.text()),
                    UndoReport.Status.FAILED, "unreadable journal line (" + u.problem() + "); undo it by hand"));
        }
        Optional<String> writtenBoot = contents.entries().stream()
                .filter(e -> e instanceof JournalEntry.Started).map(e -> ((JournalEntry.Started) e).bootId())
                .findFirst();
        boolean earlierBoot = writtenBoot.isPresent() && !writtenBoot.get().equals(bootId);
        List<JournalEntry> entries = new ArrayList<>(contents.entries());
        for (int i = entries.size() - 1; i >= 0; i--) {
            JournalEntry e = entries.get(i);
            if (e instanceof JournalEntry.Started || e instanceof JournalEntry.Note) {
                continue;
            }
            if (earlierBoot) {
                outcomes.add(new UndoReport.Outcome(e, UndoReport.Status.SKIPPED,
                        "written before the last reboot; nothing of it survived"));
                continue;
            }
            outcomes.add(undoOne(e, undoer));
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot delete change journal " + path + ": " + ex.getMessage(), ex);
        }
        journaledKeys.clear();
        return new UndoReport(outcomes);
    }

    private static UndoReport.Outcome undoOne(JournalEntry e, JournalEntry.Undoer undoer) {
        try {
            e.undo(undoer);
            return new UndoReport.Outcome(e, UndoReport.Status.UNDONE, "");
        } catch (NetlinkException ex) {
            return ex.isAlreadyGone()
                    ? new UndoReport.Outcome(e, UndoReport.Status.ALREADY_GONE, ex.errnoName())
                    : new UndoReport.Outcome(e, UndoReport.Status.FAILED, ex.getMessage());
        } catch (UncheckedIOException ex) {
            return ex.getCause() instanceof NoSuchFileException
                    ? new UndoReport.Outcome(e, UndoReport.Status.ALREADY_GONE, "no such sysctl")
                    : new UndoReport.Outcome(e, UndoReport.Status.FAILED, ex.getMessage());
        } catch (RuntimeException ex) {
            return new UndoReport.Outcome(e, UndoReport.Status.FAILED, String.valueOf(ex.getMessage()));
        }
    }

    /** Closes the file handle; the file stays (a later {@link #undoAll} or supervisor reads it). */
    public synchronized void close() {
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // everything written was already forced to disk
            }
            channel = null;
        }
    }

    /** Undo through netlink and sysctl of one namespace. */
    public static JournalEntry.Undoer undoer(Netlink netlink, Sysctl sysctl) {
        return new JournalEntry.Undoer() {
            public void deleteLink(String name) {
                netlink.deleteLink(name);
            }

            public void deleteAddress(String ifname, IpPrefix address) {
                netlink.deleteAddress(ifname, address);
            }

            public void deleteNexthop(int id) {
                netlink.deleteNexthop(id);
            }

            public void deleteRoute(int table, IpPrefix destination, int protocol) {
                netlink.deleteRoute(table, destination, protocol);
            }

            public void deleteRule(ProtocolRule rule, int protocol) {
                netlink.deleteRule(rule, protocol);
            }

            public void writeSysctl(String key, String value) {
                sysctl.write(key, value);
            }
        };
    }

    static String currentBootId() {
        try {
            return Files.readString(BOOT_ID).strip();
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
