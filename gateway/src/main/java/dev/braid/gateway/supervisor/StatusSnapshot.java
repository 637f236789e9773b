package dev.braid.gateway.supervisor;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.braid.ecmp.IpPrefix;
import dev.braid.ecmp.Netlink;
import dev.braid.ecmp.NexthopInfo;
import dev.braid.ecmp.RouteInfo;
import dev.braid.ecmp.SiteRouting;
import dev.braid.gateway.Version;
import dev.braid.gateway.status.SiteStatus;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;

/**
 * Builds a {@link SiteStatus} from the supervisor's state, each worker's counters file (read, never
 * stopping the worker) and the kernel's group and routes. Runs on the supervisor's thread.
 */
final class StatusSnapshot {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private StatusSnapshot() {
    }

    static SiteStatus take(Supervisor s, long startedNanos) {
        long now = System.nanoTime();
        var plan = s.plan();
        Netlink netlink = s.netlink();
        Optional<NexthopInfo> group = Optional.empty();
        List<String> routes = new ArrayList<>();
        boolean unreachable = false;
        if (netlink != null) {
            group = netlink.nexthop((int) plan.nexthopGroupId());
            for (RouteInfo r : netlink.routes(Netlink.RTPROT_BRAID)) {
                routes.add(r.toString());
                unreachable |= r.isUnreachable();
            }
            // ICMP's single path (SiteRouting's ICMP table): shown with its table
            for (RouteInfo r : netlink.routes(SiteRouting.icmpTableId((int) plan.nexthopGroupId()), Netlink.RTPROT_BRAID)) {
                routes.add(r.toString());
            }
        }
        List<Long> members = group.map(g -> g.memberIds().stream().map(Integer::longValue).toList()).orElse(List.of());
        List<SiteStatus.WorkerStatus> workers = new ArrayList<>();
        for (ManagedWorker w : s.workers()) {
            workers.add(worker(w, members, now));
        }
        return new SiteStatus(plan.site(), Version.text(), ProcessHandle.current().pid(), (now - startedNanos) / 1e9,
                plan.floatingAddress().toString(), s.floatingInterface(),
                plan.peerEndpointHost() + ":" + plan.config().peer().endpoint().port(), plan.nexthopGroupId(),
                group.map(g -> g.groupType().name().toLowerCase(java.util.Locale.ROOT)).orElse("absent"),
                group.flatMap(NexthopInfo::resilient).map(r -> r.buckets()).orElse(0), members, unreachable, routes, workers);
    }

    private static SiteStatus.WorkerStatus worker(ManagedWorker w, List<Long> members, long now) {
        CountersFile c = w.counters();
        long[] v = c == null ? new long[Counter.SLOT_COUNT] : c.snapshot();
        Map<String, Long> drops = new LinkedHashMap<>();
        for (Counter counter : Counter.values()) {
            if (counter.kind() == Counter.Kind.DROP) {
                drops.put(counter.metricLabel(), v[counter.id()]);
            }
        }
        long lastHandshakeMillis = v[Counter.LAST_HANDSHAKE_EPOCH_MILLIS.id()];
        long lastReceive = v[Counter.LAST_RECEIVE_MONOTONIC_NANOS.id()];
        return new SiteStatus.WorkerStatus(w.plan.index(), w.plan.cpu(), w.plan.listenPort(), w.plan.peerPort(),
                w.plan.tunName(), w.plan.localLinkAddress().toString(), w.plan.peerLinkAddress().addressText(),
                w.plan.nexthopId(), w.pid(), w.state().name().toLowerCase(java.util.Locale.ROOT), w.isCrashLooping(now),
                w.restarts(), w.lastExitCode(), w.pathState().name().toLowerCase(java.util.Locale.ROOT),
                members.contains(w.plan.nexthopId()),
                lastHandshakeMillis == 0 ? -1 : Math.max(0, System.currentTimeMillis() - lastHandshakeMillis) / 1000.0,
                lastHandshakeMillis,
                lastReceive == 0 ? -1 : Math.max(0, now - lastReceive) / 1e9,
                c == null ? "" : endpoint(c),
                v[Counter.RX_BYTES.id()], v[Counter.TX_BYTES.id()], v[Counter.RX_PACKETS.id()], v[Counter.TX_PACKETS.id()],
                v[Counter.RX_UDP_BYTES.id()], v[Counter.TX_UDP_BYTES.id()],
                v[Counter.HANDSHAKES_COMPLETED.id()], v[Counter.HANDSHAKE_INITIATIONS_SENT.id()],
                v[Counter.HANDSHAKE_INITIATIONS_RECEIVED.id()],
                v[Counter.KEEPALIVES_SENT.id()], v[Counter.KEEPALIVES_RECEIVED.id()], drops, cpuSeconds(w.pid()),
                Counter.aeadName(v[Counter.AEAD.id()]));
    }

    /** The endpoint slots under their seqlock: retried while the worker is writing them. */
    static String endpoint(CountersFile c) {
        for (int attempt = 0; attempt < 100; attempt++) {
            long seq = c.get(Counter.ENDPOINT_SEQUENCE);
            if ((seq & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            long high = c.get(Counter.ENDPOINT_ADDRESS_HIGH);
            long low = c.get(Counter.ENDPOINT_ADDRESS_LOW);
            long port = c.get(Counter.ENDPOINT_PORT);
            if (c.get(Counter.ENDPOINT_SEQUENCE) != seq) {
                continue;
            }
            if (port == 0) {
                return "";
            }
            byte[] raw = ByteBuffer.allocate(16).putLong(high).putLong(low).array();
            try {
                InetAddress address = InetAddress.getByAddress(raw); // IPv4-mapped comes back as Inet4Address
                String text = IpPrefix.formatAddress(address);
                return (text.contains(":") ? "[" + text + "]" : text) + ":" + port;
            } catch (java.net.UnknownHostException e) {
                return "";
            }
        }
        return "";
    }

    /** utime + stime of a process from /proc/PID/stat, in seconds; 0 when the process is gone. */
    static double cpuSeconds(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the command name, which is in parentheses and may contain spaces
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) CLOCK_TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
