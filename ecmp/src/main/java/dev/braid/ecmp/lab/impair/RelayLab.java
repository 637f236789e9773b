package dev.braid.ecmp.lab.impair;

import dev.braid.ecmp.lab.Command;
import dev.braid.ecmp.lab.Netns;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Three lab namespaces in a line, site A — relay R — site B, with the {@link ImpairmentRelay} as
 * the only way across:
 *
 * <pre>
 *  A                              R                                        B
 *  wan0 198.51.100.1/24 ─veth─ ra 198.51.100.254/24   rb 203.0.113.254/24 ─veth─ wan0 203.0.113.1/24
 *  route 203.0.113.0/24                                                   route 198.51.100.0/24
 *        via 198.51.100.254         ip_forward = 0                              via 203.0.113.254
 * </pre>
 *
 * The underlay uses the documentation ranges TEST-NET-2 and TEST-NET-3, which no Braid plan uses
 * for links, floating addresses or LANs. A and B have no link to each other; their only route to the
 * other's underlay address points into R, and R does not forward: a datagram reaches the far site
 * only through the relay's sockets, so nothing bypasses the impairment. Site A's config names
 * {@value #RELAY_A_ADDRESS} as the peer endpoint (port base), site B's names {@value #RELAY_B_ADDRESS};
 * each worker binds base+i on its site's underlay address (or the wildcard).
 *
 * <p>The lab's namespaces are {@link Netns} ones (named {@code braidlab-<pid>-<tag>{a,r,b}-…}); close
 * stops relays started through {@link #startRelay} and then removes all three, processes first.
 */
public final class RelayLab implements AutoCloseable {
    public static final String SITE_A_ADDRESS = "198.51.100.1";
    public static final String RELAY_A_ADDRESS = "198.51.100.254";
    public static final String SITE_B_ADDRESS = "203.0.113.1";
    public static final String RELAY_B_ADDRESS = "203.0.113.254";
    public static final int PREFIX_LENGTH = 24;
    public static final String SITE_A_PREFIX = "198.51.100.0/24";
    public static final String SITE_B_PREFIX = "203.0.113.0/24";
    /** Underlay interface name inside A and inside B. */
    public static final String SITE_INTERFACE = "wan0";
    public static final String RELAY_INTERFACE_A = "ra";
    public static final String RELAY_INTERFACE_B = "rb";
    public static final int DEFAULT_MTU_BYTES = 1500;

    private static final Duration READY_DEADLINE = Duration.ofSeconds(10);

    private final Netns siteA;
    private final Netns relayNamespace;
    private final Netns siteB;
    private final List<ImpairmentRelay> relays = new ArrayList<>();
    private boolean closed;

    private RelayLab(Netns siteA, Netns relayNamespace, Netns siteB) {
        this.siteA = siteA;
        this.relayNamespace = relayNamespace;
        this.siteB = siteB;
    }

    /** Builds A — R — B with 1500-byte veths; returns once both links pass a ping. */
    public static RelayLab create(String tag) {
        return create(tag, DEFAULT_MTU_BYTES);
    }

    public static RelayLab create(String tag, int mtuBytes) {
        List<Netns> made = new ArrayList<>();
        try {
            Netns a = Netns.create(tag + "a");
            made.add(a);
            Netns r = Netns.create(tag + "r");
            made.add(r);
            Netns b = Netns.create(tag + "b");
            made.add(b);
            Netns.veth(a, SITE_INTERFACE, r, RELAY_INTERFACE_A);
            Netns.veth(b, SITE_INTERFACE, r, RELAY_INTERFACE_B);
            String mtu = Integer.toString(mtuBytes);
            a.ip("link", "set", SITE_INTERFACE, "mtu", mtu);
            b.ip("link", "set", SITE_INTERFACE, "mtu", mtu);
            r.ip("link", "set", RELAY_INTERFACE_A, "mtu", mtu);
            r.ip("link", "set", RELAY_INTERFACE_B, "mtu", mtu);
            a.ip("addr", "add", SITE_A_ADDRESS + "/" + PREFIX_LENGTH, "dev", SITE_INTERFACE);
            r.ip("addr", "add", RELAY_A_ADDRESS + "/" + PREFIX_LENGTH, "dev", RELAY_INTERFACE_A);
            r.ip("addr", "add", RELAY_B_ADDRESS + "/" + PREFIX_LENGTH, "dev", RELAY_INTERFACE_B);
            b.ip("addr", "add", SITE_B_ADDRESS + "/" + PREFIX_LENGTH, "dev", SITE_INTERFACE);
            a.ip("route", "add", SITE_B_PREFIX, "via", RELAY_A_ADDRESS, "dev", SITE_INTERFACE);
            b.ip("route", "add", SITE_A_PREFIX, "via", RELAY_B_ADDRESS, "dev", SITE_INTERFACE);
            // a fresh namespace does not forward; set it anyway so the "only through the relay" promise is explicit
            r.sysctl("net.ipv4.ip_forward", "0");
            RelayLab lab = new RelayLab(a, r, b);
            if (!a.waitForPing(RELAY_A_ADDRESS, READY_DEADLINE) || !b.waitForPing(RELAY_B_ADDRESS, READY_DEADLINE)) {
                throw new IllegalStateException("relay lab links did not pass a ping within " + READY_DEADLINE
                        .toSeconds() + " s (A→" + RELAY_A_ADDRESS + ", B→" + RELAY_B_ADDRESS + ")");
            }
            return lab;
        } catch (RuntimeException e) {
            for (int i = made.size() - 1; i >= 0; i--) {
                made.get(i).close();
            }
            throw e;
        }
    }

    public Netns siteA() {
        return siteA;
    }

    public Netns relayNamespace() {
        return relayNamespace;
    }

    public Netns siteB() {
        return siteB;
    }

    /** What site A's config gives as {@code peer.endpoint}: the relay's address facing A. */
    public static String siteAPeerEndpoint(int basePort) {
        return RELAY_A_ADDRESS + ":" + basePort;
    }

    /** What site B's config gives as {@code peer.endpoint}: the relay's address facing B. */
    public static String siteBPeerEndpoint(int basePort) {
        return RELAY_B_ADDRESS + ":" + basePort;
    }

    /** The relay configuration for this lab (sockets in R, forwarding to the sites' wan0 addresses). */
    public RelayConfig relayConfig(List<Integer> ports) {
        return RelayConfig.of(relayNamespace.name(),
                new RelayConfig.Side(address(RELAY_A_ADDRESS), address(SITE_A_ADDRESS)),
                new RelayConfig.Side(address(RELAY_B_ADDRESS), address(SITE_B_ADDRESS)), ports);
    }

    /** Starts a relay in R with {@link #relayConfig}; it is closed with the lab if not before. */
    public ImpairmentRelay startRelay(List<Integer> ports) throws IOException {
        return startRelay(relayConfig(ports));
    }

    public synchronized ImpairmentRelay startRelay(RelayConfig config) throws IOException {
        if (closed) {
            throw new IllegalStateException("relay lab is closed");
        }
        ImpairmentRelay relay = ImpairmentRelay.start(config);
        relays.add(relay);
        return relay;
    }

    /**
     * The kernel's UDP counters in a namespace ({@code Udp:} of /proc/net/snmp: InDatagrams,
     * RcvbufErrors, SndbufErrors, …). RcvbufErrors in R are datagrams the kernel dropped because the
     * relay did not read fast enough — drops the relay itself cannot count.
     */
    public static Map<String, Long> udpCounters(Netns ns) {
        Command.Result r = ns.run(Duration.ofSeconds(10), List.of("cat", "/proc/net/snmp"));
        List<String> udp = r.stdout().lines().filter(l -> l.startsWith("Udp:")).toList();
        if (udp.size() < 2) {
            throw new IllegalStateException("no Udp: lines in /proc/net/snmp of " + ns);
        }
        String[] names = udp.get(0).split("\\s+");
        String[] values = udp.get(1).split("\\s+");
        Map<String, Long> counters = new LinkedHashMap<>();
        for (int i = 1; i < Math.min(names.length, values.length); i++) {
            counters.put(names[i], Long.parseLong(values[i]));
        }
        return counters;
    }

    public static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an address literal: " + literal, e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (ImpairmentRelay relay : relays) {
                relay.close();
            }
        } finally {
            try {
                siteA.close();
            } finally {
                try {
                    siteB.close();
                } finally {
                    relayNamespace.close();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "RelayLab[A=" + siteA + " R=" + relayNamespace + " B=" + siteB + "]";
    }
}
