package dev.braid.ecmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeJournalTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** Records undo calls; fails the ones it is told to, with the given errno. */
    static final class RecordingUndoer implements JournalEntry.Undoer {
        final List<String> calls = new ArrayList<>();
        final java.util.Map<String, Integer> failures = new java.util.HashMap<>();
        final Set<String> missingSysctls = new java.util.HashSet<>();

        private void call(String what) {
            calls.add(what);
            Integer errno = failures.get(what);
            if (errno != null) {
                throw new NetlinkException(what, errno, "test says no");
            }
        }

        public void deleteLink(String name) {
            call("link " + name);
        }

        public void deleteAddress(String ifname, IpPrefix address) {
            call("address " + ifname + " " + address);
        }

        public void deleteNexthop(int id) {
            call("nexthop " + id);
        }

        public void deleteRoute(int table, IpPrefix destination, int protocol) {
            call("route " + destination + " " + protocol + (table == Rtnl.RT_TABLE_MAIN ? "" : " table " + table));
        }

        public void deleteRule(ProtocolRule rule, int protocol) {
            call("rule " + rule + " " + protocol);
        }

        public void writeSysctl(String key, String value) {
            calls.add("sysctl " + key + "=" + value);
            if (missingSysctls.contains(key)) {
                throw new UncheckedIOException("no sysctl " + key, new NoSuchFileException(key));
            }
        }
    }

    private ChangeJournal journal(String bootId) {
        return ChangeJournal.in(dir, CLOCK, bootId);
    }

    @Test
    void appendsReadableLinesAfterAHeader() throws IOException {
        ChangeJournal j = journal("boot-1");
        assertFalse(j.exists());
        assertTrue(j.append(new JournalEntry.LinkCreated("t0")));
        assertTrue(j.append(new JournalEntry.NexthopAdded(1)));
        List<String> lines = Files.readAllLines(j.path());
        assertTrue(lines.get(0).startsWith("# Braid change journal"), lines.toString());
        assertEquals("2025-06-01T10:00:00Z started boot-id boot-1 pid " + ProcessHandle.current().pid(), lines.get(2));
        assertEquals("2025-06-01T10:00:00Z link-created t0", lines.get(3));
        assertEquals("2025-06-01T10:00:00Z nexthop-added 1", lines.get(4));
        assertEquals(List.of(new JournalEntry.Started("boot-1", ProcessHandle.current().pid()),
                new JournalEntry.LinkCreated("t0"), new JournalEntry.NexthopAdded(1)), j.entries());
    }

    @Test
    void theSameChangeIsJournaledOnce() {
        ChangeJournal j = journal("boot-1");
        assertTrue(j.append(new JournalEntry.SysctlChanged("net.ipv4.ip_forward", "0")));
        assertFalse(j.append(new JournalEntry.SysctlChanged("net.ipv4.ip_forward", "1")),
                "the second old value is ours; the first is the one to restore");
        assertTrue(j.append(new JournalEntry.LinkCreated("t0")));
        assertFalse(j.append(new JournalEntry.LinkCreated("t0")));
        assertEquals(3, j.entries().size());
    }

    @Test
    void undoesNewestFirstToleratesGoneReportsFailuresAndDeletes() {
        ChangeJournal j = journal("boot-1");
        j.append(new JournalEntry.SysctlChanged("net.ipv6.fib_multipath_hash_policy", "0"));
        j.append(new JournalEntry.LinkCreated("t0"));
        j.append(new JournalEntry.AddressAdded("t0", IpPrefix.parse("10.14.0.1/30")));
        j.append(new JournalEntry.NexthopAdded(1));
        j.append(new JournalEntry.Note("just words"));
        j.append(new JournalEntry.NexthopAdded(100));
        j.append(new JournalEntry.RouteAdded(IpPrefix.parse("192.168.20.0/24"), 98));
        j.append(new JournalEntry.SysctlChanged("net.ipv4.ip_forward", "0"));
        RecordingUndoer u = new RecordingUndoer();
        u.failures.put("nexthop 1", Errno.ENOENT); // the kernel removed it when the TUN lost carrier
        u.failures.put("address t0 10.14.0.1/30", Errno.EPERM);
        u.missingSysctls.add("net.ipv6.fib_multipath_hash_policy");
        UndoReport report = j.undoAll(u);
        assertEquals(List.of("sysctl net.ipv4.ip_forward=0", "route 192.168.20.0/24 98",
                "nexthop 100", "nexthop 1", "address t0 10.14.0.1/30", "link t0",
                "sysctl net.ipv6.fib_multipath_hash_policy=0"), u.calls);
        assertEquals(List.of(UndoReport.Status.UNDONE, UndoReport.Status.UNDONE, UndoReport.Status.UNDONE,
                UndoReport.Status.ALREADY_GONE, UndoReport.Status.FAILED, UndoReport.Status.UNDONE,
                UndoReport.Status.ALREADY_GONE), report.outcomes().stream().map(UndoReport.Outcome::status).toList());
        assertFalse(report.isClean());
        assertEquals(1, report.failures().size());
        assertTrue(report.failures().getFirst().detail().contains("EPERM"), report.toString());
        assertFalse(j.exists(), "journal deleted after undo");
    }

    @Test
    void aNewJournalStartsAfterUndo() {
        ChangeJournal j = journal("boot-1");
        j.append(new JournalEntry.LinkCreated("t0"));
        j.undoAll(new RecordingUndoer());
        assertTrue(j.append(new JournalEntry.LinkCreated("t0")), "after undo the same change is new again");
        assertEquals(2, j.entries().size());
    }

    @Test
    void aJournalFromAnotherJournalObjectIsUndoneToo() {
        ChangeJournal dead = journal("boot-1");
        dead.append(new JournalEntry.LinkCreated("t0"));
        dead.append(new JournalEntry.RouteAdded(IpPrefix.parse("10.0.55.2/32"), 98));
        dead.close(); // the supervisor is "killed": nothing more happens to this object
        RecordingUndoer u = new RecordingUndoer();
        UndoReport r = journal("boot-1").undoAll(u);
        assertEquals(List.of("route 10.0.55.2/32 98", "link t0"), u.calls);
        assertEquals(2, r.undone().size());
    }

    @Test
    void aJournalFromAnEarlierBootIsOnlyRemoved() {
        ChangeJournal old = journal("boot-1");
        old.append(new JournalEntry.SysctlChanged("net.ipv4.ip_forward", "0"));
        old.close();
        RecordingUndoer u = new RecordingUndoer();
        UndoReport r = journal("boot-2").undoAll(u);
        assertTrue(u.calls.isEmpty(), "writing ip_forward=0 after a reboot would undo the boot's own settings");
        assertEquals(UndoReport.Status.SKIPPED, r.outcomes().getFirst().status());
        assertFalse(journal("boot-2").exists());
    }

    @Test
    void aTornLastLineIsIgnoredAndABadMiddleLineReported() throws IOException {
        ChangeJournal j = journal("boot-1");
        j.append(new JournalEntry.LinkCreated("t0"));
        j.close();
        Files.writeString(j.path(), "garbage in the middle\n2025-06-01T10:00:00Z nexthop-added 7\n2025-06-01T10:0",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        RecordingUndoer u = new RecordingUndoer();
        UndoReport r = journal("boot-1").undoAll(u);
        assertEquals(List.of("nexthop 7", "link t0"), u.calls);
        assertEquals(1, r.failures().size());
        assertTrue(r.failures().getFirst().toString().contains("garbage in the middle"), r.toString());
    }

    @Test
    void noJournalMeansNothingToUndo() {
        UndoReport r = journal("boot-1").undoAll(new RecordingUndoer());
        assertTrue(r.isEmpty());
        assertEquals("nothing to undo", r.toString());
    }
}
