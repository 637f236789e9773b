package dev.braid.ecmp;

import java.time.Instant;
import java.util.Objects;

/**
 * One line of the {@link ChangeJournal}: a change Braid is about to make to the system, written in
 * a form an operator can read and the next supervisor can parse:
 *
 * <pre>
 * 2025-06-01T10:00:00.123Z started boot-id 3f1c... pid 4242
 * 2025-06-01T10:00:00.130Z link-created braid0
 * 2025-06-01T10:00:00.131Z note the kernel has no dummy link type: floating address on lo
 * 2025-06-01T10:00:00.132Z address-added lo 10.0.55.1/32
 * 2025-06-01T10:00:00.140Z nexthop-added 1001
 * 2025-06-01T10:00:00.150Z route-added 192.168.20.0/24 proto 98
 * 2025-06-01T10:00:00.151Z route-added 192.168.20.0/24 proto 98 table 2001000
 * 2025-06-01T10:00:00.152Z rule-added inet ipproto 1 priority 32700 table 2001000 protocol 98
 * 2025-06-01T10:00:00.160Z sysctl-changed net.ipv4.ip_forward old=0
 * </pre>
 *
 * Each kind knows how to undo itself through an {@link Undoer}. {@link #key} identifies the thing
 * changed, so that doing the same change twice is journaled once.
 */
public sealed interface JournalEntry {

    /** How the undo of each kind reaches the system; {@link ChangeJournal#undoer} binds it to netlink. */
    interface Undoer {
        void deleteLink(String name);

        void deleteAddress(String ifname, IpPrefix address);

        void deleteNexthop(int id);

        void deleteRoute(int table, IpPrefix destination, int protocol);

        void deleteRule(ProtocolRule rule, int protocol);

        void writeSysctl(String key, String value);
    }

    /** The verb and arguments, without the timestamp. */
    String format();

    /** Identity of what was changed: the same key journaled twice is one change. */
    default String key() {
        return format();
    }

    /** Reverts the change; throws what the system said when it cannot. */
    void undo(Undoer undoer);

    /** Written first in every journal: the kernel boot it belongs to and the writer's pid. */
    record Started(String bootId, long pid) implements JournalEntry {
        public String format() {
            return "started boot-id " + bootId + " pid " + pid;
        }

        public void undo(Undoer undoer) {
        }
    }

    /** Free text for the operator; undoes nothing. */
    record Note(String text) implements JournalEntry {
        public Note {
            text = text.replace('\n', ' ').replace('\r', ' ');
        }

        public String format() {
            return "note " + text;
        }

        public void undo(Undoer undoer) {
        }
    }

    record LinkCreated(String name) implements JournalEntry {
        public String format() {
            return "link-created " + name;
        }

        public void undo(Undoer undoer) {
            undoer.deleteLink(name);
        }
    }

    record AddressAdded(String ifname, IpPrefix address) implements JournalEntry {
        public String format() {
            return "address-added " + ifname + " " + address;
        }

        public void undo(Undoer undoer) {
            undoer.deleteAddress(ifname, address);
        }
    }

    /** A nexthop object or group. */
    record NexthopAdded(int id) implements JournalEntry {
        public String format() {
            return "nexthop-added " + id;
        }

        public void undo(Undoer undoer) {
            undoer.deleteNexthop(id);
        }
    }

    /** A route in the main table, or with " table T" in another (Braid's ICMP table). */
    record RouteAdded(IpPrefix destination, int protocol, int table) implements JournalEntry {
        public RouteAdded(IpPrefix destination, int protocol) {
            this(destination, protocol, Rtnl.RT_TABLE_MAIN);
        }

        public String format() {
            return "route-added " + destination + " proto " + protocol
                    + (table == Rtnl.RT_TABLE_MAIN ? "" : " table " + Integer.toUnsignedString(table));
        }

        public void undo(Undoer undoer) {
            undoer.deleteRoute(table, destination, protocol);
        }
    }

    /** A policy rule ({@link ProtocolRule}) installed with {@code protocol}. */
    record RuleAdded(ProtocolRule rule, int protocol) implements JournalEntry {
        public String format() {
            return "rule-added " + rule + " protocol " + protocol;
        }

        public void undo(Undoer undoer) {
            undoer.deleteRule(rule, protocol);
        }
    }

    /** A sysctl about to be changed, with the value to put back. */
    record SysctlChanged(String key, String oldValue) implements JournalEntry {
        public SysctlChanged {
            Objects.requireNonNull(oldValue, "oldValue");
        }

        public String format() {
            return "sysctl-changed " + key + " old=" + escape(oldValue);
        }

        @Override
        public String key() {
            return "sysctl " + key;
        }

        public void undo(Undoer undoer) {
            undoer.writeSysctl(key, oldValue);
        }
    }

    /** "&lt;instant&gt; &lt;verb&gt; &lt;args&gt;". */
    static String line(Instant at, JournalEntry entry) {
        return at + " " + entry.format();
    }

    /** Parses one journal line (timestamp first); throws IllegalArgumentException when it is not one. */
    static JournalEntry parse(String line) {
        String s = line.strip();
        int space = s.indexOf(' ');
        if (space < 0) {
            throw new IllegalArgumentException("no verb");
        }
        try {
            Instant.parse(s.substring(0, space));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no timestamp");
        }
        String rest = s.substring(space + 1);
        int verbEnd = rest.indexOf(' ');
        String verb = verbEnd < 0 ? rest : rest.substring(0, verbEnd);
        String args = verbEnd < 0 ? "" : rest.substring(verbEnd + 1);
        String[] a = args.isEmpty() ? new String[0] : args.split(" ");
        return switch (verb) {
            case "started" -> {
                expect(a.length == 4 && a[0].equals("boot-id") && a[2].equals("pid"), verb);
                yield new Started(a[1], Long.parseLong(a[3]));
            }
            case "note" -> new Note(args);
            case "link-created" -> {
                expect(a.length == 1, verb);
                yield new LinkCreated(a[0]);
            }
            case "address-added" -> {
                expect(a.length == 2, verb);
                yield new AddressAdded(a[0], IpPrefix.parse(a[1]));
            }
            case "nexthop-added" -> {
                expect(a.length == 1, verb);
                yield new NexthopAdded(Integer.parseInt(a[0]));
            }
            case "route-added" -> {
                expect((a.length == 3 || a.length == 5 && a[3].equals("table")) && a[1].equals("proto"), verb);
                yield new RouteAdded(IpPrefix.parse(a[0]), Integer.parseInt(a[2]),
                        a.length == 5 ? Integer.parseUnsignedInt(a[4]) : Rtnl.RT_TABLE_MAIN);
            }
            case "rule-added" -> {
                // inet|inet6 ipproto P priority N table T protocol X
                expect(a.length == 9 && a[1].equals("ipproto") && a[3].equals("priority") && a[5].equals("table")
                        && a[7].equals("protocol") && (a[0].equals("inet") || a[0].equals("inet6")), verb);
                yield new RuleAdded(new ProtocolRule(a[0].equals("inet6") ? Rtnl.AF_INET6 : Rtnl.AF_INET,
                        Integer.parseInt(a[2]), Integer.parseInt(a[4]), Integer.parseUnsignedInt(a[6])),
                        Integer.parseInt(a[8]));
            }
            case "sysctl-changed" -> {
                int old = args.indexOf(" old=");
                expect(old > 0, verb);
                yield new SysctlChanged(args.substring(0, old), unescape(args.substring(old + 5)));
            }
            default -> throw new IllegalArgumentException("unknown verb \"" + verb + "\"");
        };
    }

    private static void expect(boolean ok, String verb) {
        if (!ok) {
            throw new IllegalArgumentException("bad arguments for " + verb);
        }
    }

    /** Sysctl values may hold tabs (ip_local_port_range): keep one entry on one line. */
    static String escape(String value) {
        return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
    }

    static String unescape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length()) {
                char n = value.charAt(++i);
                sb.append(switch (n) {
                    case 't' -> '\t';
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
