package dev.braid.ecmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JournalEntryTest {
    private static final Instant AT = Instant.parse("2025-06-01T10:00:00.123Z");

    @Test
    void everyKindSurvivesARoundTrip() {
        List<JournalEntry> entries = List.of(
                new JournalEntry.Started("3f1c2d4e-0000-4000-8000-000000000001", 4242),
                new JournalEntry.Note("the kernel has no dummy link type: floating address on lo"),
                new JournalEntry.LinkCreated("braid-t0"),
                new JournalEntry.AddressAdded("lo", IpPrefix.parse("10.0.55.1/32")),
                new JournalEntry.AddressAdded("t0", IpPrefix.parse("fd00:14::1/126")),
                new JournalEntry.NexthopAdded(1000001),
                new JournalEntry.RouteAdded(IpPrefix.parse("192.168.20.0/24"), 98),
                new JournalEntry.RouteAdded(IpPrefix.parse("fd00:20::/64"), 98, 2_001_000),
                new JournalEntry.RuleAdded(ProtocolRule.icmp(false, 32700, 2_001_000), 98),
                new JournalEntry.RuleAdded(ProtocolRule.icmp(true, 32700, 2_001_000), 98),
                new JournalEntry.SysctlChanged("net.ipv4.ip_forward", "0"),
                new JournalEntry.SysctlChanged("net.ipv4.ip_local_port_range", "32768\t60999"),
                new JournalEntry.SysctlChanged("kernel.weird", "a\\b old=c\nd"),
                new JournalEntry.SysctlChanged("net/ipv4/conf/eth0.100/forwarding", ""));
        for (JournalEntry e : entries) {
            String line = JournalEntry.line(AT, e);
            assertEquals(1, line.lines().count(), "one line: " + line);
            assertEquals(e, JournalEntry.parse(line), line);
        }
    }

    @Test
    void linesAreReadable() {
        assertEquals("2025-06-01T10:00:00.123Z route-added 192.168.20.0/24 proto 98",
                JournalEntry.line(AT, new JournalEntry.RouteAdded(IpPrefix.parse("192.168.20.0/24"), 98)));
        assertEquals("2025-06-01T10:00:00.123Z route-added 192.168.20.0/24 proto 98 table 2001000",
                JournalEntry.line(AT, new JournalEntry.RouteAdded(IpPrefix.parse("192.168.20.0/24"), 98, 2_001_000)));
        assertEquals("2025-06-01T10:00:00.123Z rule-added inet ipproto 1 priority 32700 table 2001000 protocol 98",
                JournalEntry.line(AT, new JournalEntry.RuleAdded(ProtocolRule.icmp(false, 32700, 2_001_000), 98)));
        assertEquals("2025-06-01T10:00:00.123Z sysctl-changed net.ipv4.ip_local_port_range old=32768\\t60999",
                JournalEntry.line(AT, new JournalEntry.SysctlChanged("net.ipv4.ip_local_port_range", "32768\t60999")));
    }

    @Test
    void sysctlKeyIgnoresTheOldValue() {
        assertEquals(new JournalEntry.SysctlChanged("a.b", "0").key(), new JournalEntry.SysctlChanged("a.b", "1").key());
        assertNotEquals(new JournalEntry.NexthopAdded(1).key(), new JournalEntry.NexthopAdded(2).key());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "route-added 10.0.0.0/8 proto 98", "2025-06-01T10:00:00Z",
            "2025-06-01T10:00:00Z route-added 10.0.0.0/8", "2025-06-01T10:00:00Z route-added 10.0.0.0/8 via 98",
            "2025-06-01T10:00:00Z nexthop-added x", "2025-06-01T10:00:00Z frobnicated eth0",
            "2025-06-01T10:00:00Z address-added lo", "2025-06-01T10:00:00Z sysctl-changed net.ipv4.ip_forward",
            "2025-06-01T10:00:00Z link-created", "2025-06-01T10:00:00Z started boot-id x",
            "2025-06-01T10:00:00Z route-added 10.0.0.0/8 proto 98 table", "2025-06-01T10:00:00Z route-added 10.0.0.0/8 proto 98 via 7",
            "2025-06-01T10:00:00Z rule-added inet ipproto 1 priority 32700 table 2001000",
            "2025-06-01T10:00:00Z rule-added ipx ipproto 1 priority 32700 table 2001000 protocol 98",
            "2025-06-01T10:00:00Z rule-added inet ipproto 1 priority 32766 table 2001000 protocol 98",
            "2025-06-01T10:00:00Z rule-added inet ipproto 1 priority 32700 table 254 protocol 98"})
    void rejectsWhatIsNotAnEntry(String line) {
        assertThrows(IllegalArgumentException.class, () -> JournalEntry.parse(line));
    }
}
