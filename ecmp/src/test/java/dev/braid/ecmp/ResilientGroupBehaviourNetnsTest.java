package dev.braid.ecmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.braid.ecmp.lab.Netns;
import dev.braid.ecmp.lab.TunCarrier;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Checks the claim behind {@link ResilientParams#DEFAULT}: with traffic on every bucket, removing a
 * member moves exactly that member's buckets and no other, and a member put back takes no busy
 * bucket while the unbalanced timer is 0 (idle ones it does take). Buckets are read with {@code ip nexthop bucket show}.
 */
@Tag("netns")
class ResilientGroupBehaviourNetnsTest {
    private static final int BRAID = Netlink.RTPROT_BRAID;

    @Test
    void withdrawMovesOnlyTheDeadPathsBucketsAndRestoreMovesNoBusyOne() throws Exception {
        try (Netns ns = Netns.create("res");
             Netlink nl = openWithTuns(ns);
             TunCarrier carrier = TunCarrier.attach(ns.name(), "t0", "t1", "t2");
             NamespaceThread sender = NamespaceThread.enter(ns.name())) {
            nl.sysctl().write("net.ipv4.fib_multipath_hash_policy", "1");
            for (int i = 0; i < 3; i++) {
                nl.setUp("t" + i, true);
                nl.addDeviceNexthop(i + 1, "t" + i, BRAID);
            }
            nl.addOrReplaceResilientGroup(100, List.of(1, 2, 3),
                    new ResilientParams(64, Duration.ofSeconds(30), Duration.ZERO), BRAID);
            nl.addAddress("lo", IpPrefix.parse("10.0.55.1/32"));
            nl.replaceRoute(IpPrefix.parse("192.168.20.0/24"), 100, IpPrefix.parseAddress("10.0.55.1"), BRAID);

            // control: buckets that never carried a packet count as idle, so a path put back
            // gets its share at once
            nl.replaceResilientGroupMembers(100, List.of(1, 3), BRAID);
            nl.replaceResilientGroupMembers(100, List.of(1, 2, 3), BRAID);
            assertTrue(buckets(ns).containsValue(2), "idle buckets go back to a restored path: " + buckets(ns));

            sendFlows(sender, 4000); // every bucket is busy now
            Map<Integer, Integer> before = buckets(ns);
            assertEquals(64, before.size());

            nl.replaceResilientGroupMembers(100, List.of(1, 3), BRAID);
            Map<Integer, Integer> withdrawn = buckets(ns);
            int moved = 0;
            for (var e : before.entrySet()) {
                int now = withdrawn.get(e.getKey());
                if (e.getValue() == 2) {
                    assertTrue(now == 1 || now == 3, "bucket " + e.getKey() + " of the dead path moved to a live one");
                    moved++;
                } else {
                    assertEquals(e.getValue(), now, "bucket " + e.getKey() + " of a live path stays");
                }
            }
            assertTrue(moved > 0);
            System.out.println("withdraw moved the dead path's " + moved + " of 64 buckets and no other");

            sendFlows(sender, 4000);
            nl.replaceResilientGroupMembers(100, List.of(1, 2, 3), BRAID);
            Map<Integer, Integer> restored = buckets(ns);
            assertEquals(withdrawn, restored, "busy buckets stay put when a path comes back (unbalanced timer 0)");
        }
    }

    private static Netlink openWithTuns(Netns ns) {
        for (String t : List.of("t0", "t1", "t2")) {
            ns.ip("tuntap", "add", "mode", "tun", "name", t);
        }
        return Netlink.openIn(ns.name());
    }

    /** UDP datagrams of {@code flows} different port pairs into the routed prefix, from inside the namespace. */
    private static void sendFlows(NamespaceThread sender, int flows) {
        sender.call(() -> {
            ByteBuffer payload = ByteBuffer.allocate(8);
            for (int i = 0; i < flows; i++) {
                try (DatagramChannel ch = DatagramChannel.open()) {
                    ch.bind(new InetSocketAddress(IpPrefix.parseAddress("10.0.55.1"), 20000 + i % 20000));
                    payload.clear();
                    ch.send(payload, new InetSocketAddress(IpPrefix.parseAddress("192.168.20." + (1 + i % 200)),
                            5000 + i % 3000));
                } catch (IOException ignored) {
                    // a full TUN queue drops; the route lookup (and bucket use) already happened
                }
            }
            return null;
        });
    }

    /** bucket index -> nexthop id, from {@code ip nexthop bucket show id 100}. */
    private static Map<Integer, Integer> buckets(Netns ns) {
        Map<Integer, Integer> out = new HashMap<>();
        for (String line : ns.ip("nexthop", "bucket", "show", "id", "100").stdout().split("\n")) {
            String[] w = line.strip().split("\\s+");
            int index = -1;
            int nh = -1;
            for (int i = 0; i + 1 < w.length; i++) {
                if (w[i].equals("index")) {
                    index = Integer.parseInt(w[i + 1]);
                } else if (w[i].equals("nhid")) {
                    nh = Integer.parseInt(w[i + 1]);
                }
            }
            if (index >= 0) {
                out.put(index, nh);
            }
        }
        return out;
    }
}
