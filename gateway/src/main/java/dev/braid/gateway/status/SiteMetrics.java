package dev.braid.gateway.status;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The site's Prometheus metrics, built at scrape time from one {@link SiteStatus} (the supervisor
 * reads the workers' counters files; workers never serve HTTP). Names are in base units, counters
 * end in _total (the client library appends it), every series carries {@code site} and per-worker
 * series {@code worker}; drops carry {@code reason}. docs/metrics.md lists them all.
 */
public final class SiteMetrics implements MultiCollector {
    private final Callable<SiteStatus> status;

    public SiteMetrics(Callable<SiteStatus> status) {
        this.status = status;
    }

    @Override
    public MetricSnapshots collect() {
        SiteStatus s;
        try {
            s = status.call();
        } catch (Exception e) {
            // a supervisor busy stopping: export nothing rather than stale numbers
            return MetricSnapshots.of();
        }
        List<MetricSnapshot> out = new ArrayList<>();
        Labels site = Labels.of("site", s.site());
        out.add(InfoSnapshot.builder().name("braid_build").help("Braid version of the supervisor")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("site", s.site(), "version", s.version(),
                                "java_version", Runtime.version().toString())).build()).build());
        out.add(InfoSnapshot.builder().name("braid_site").help("The site: floating address and peer endpoint")
                .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder()
                        .labels(Labels.of("site", s.site(), "floating_address", s.floatingAddress(),
                                "peer_endpoint", s.peerEndpoint())).build()).build());
        out.add(gauge("braid_paths_configured", "Worker paths the site is configured with", null)
                .dataPoint(point(site, s.workers().size())).build());
        out.add(gauge("braid_nexthop_group_members", "Paths in the kernel's resilient nexthop group now", null)
                .dataPoint(point(site, s.groupMembers().size())).build());
        out.add(gauge("braid_routes_unreachable", "1 while no path is up and the remote routes are unreachable", null)
                .dataPoint(point(site, s.routesUnreachable() ? 1 : 0)).build());

        var info = InfoSnapshot.builder().name("braid_worker").help("A worker: its CPU, UDP port, TUN and the "
                + "transport AEAD it runs (aead: jdk-intrinsics, or jdk-cipher, the slower fallback)");
        var up = gauge("braid_path_up", "1 while the worker's path is up (handshake done, heard within dead_after)", null);
        var state = gauge("braid_path_state", "1 for the path's current state: up, down, or pending (a starting site "
                + "before its first handshake)", null);
        var handshakeTime = gauge("braid_worker_last_handshake_timestamp_seconds",
                "Wall-clock time of the last completed handshake (Unix seconds)", Unit.SECONDS);
        var inGroup = gauge("braid_path_in_group", "1 while the path is a member of the nexthop group", null);
        var process = gauge("braid_worker_running", "1 while the worker process runs", null);
        var looping = gauge("braid_worker_crash_looping", "1 while the worker exits over and over", null);
        var handshakeAge = gauge("braid_worker_handshake_age_seconds", "Time since the last completed handshake", Unit.SECONDS);
        var receiveAge = gauge("braid_worker_last_receive_age_seconds", "Time since the last authenticated packet", Unit.SECONDS);
        var rxBytes = counter("braid_worker_receive_bytes", "Tunnel payload bytes received and written to the TUN", Unit.BYTES);
        var txBytes = counter("braid_worker_transmit_bytes", "Tunnel payload bytes read from the TUN and sent", Unit.BYTES);
        var rxPackets = counter("braid_worker_receive_packets", "Transport packets received and authenticated", null);
        var txPackets = counter("braid_worker_transmit_packets", "Transport packets sent", null);
        var handshakes = counter("braid_worker_handshakes", "Handshakes completed", null);
        var initiationsSent = counter("braid_worker_handshake_initiations_sent", "Handshake initiations sent", null);
        var initiationsReceived = counter("braid_worker_handshake_initiations_received",
                "Valid handshake initiations received", null);
        var keepalivesSent = counter("braid_worker_keepalives_sent", "Keepalives sent", null);
        var keepalivesReceived = counter("braid_worker_keepalives_received", "Keepalives received and authenticated", null);
        var udpRx = counter("braid_worker_udp_receive_bytes", "UDP payload bytes received on the worker's port, "
                + "WireGuard headers and handshakes included", Unit.BYTES);
        var udpTx = counter("braid_worker_udp_transmit_bytes", "UDP payload bytes sent from the worker's port, "
                + "WireGuard headers and handshakes included", Unit.BYTES);
        var drops = counter("braid_worker_drops", "Packets dropped, by reason", null);
        var cpu = counter("braid_worker_cpu_seconds", "CPU time used by the worker process", Unit.SECONDS);
        var restarts = counter("braid_worker_restarts", "Times the supervisor restarted the worker", null);
        for (SiteStatus.WorkerStatus w : s.workers()) {
            Labels l = Labels.of("site", s.site(), "worker", Integer.toString(w.index()));
            info.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(Labels.of("site", s.site(),
                    "worker", Integer.toString(w.index()), "cpu", Integer.toString(w.cpu()), "tun", w.tun(),
                    "port", Integer.toString(w.listenPort()), "aead", w.aead())).build());
            up.dataPoint(point(l, w.path().equals("up") ? 1 : 0));
            for (String s1 : new String[] {"up", "down", "pending"}) {
                state.dataPoint(point(Labels.of("site", s.site(), "worker", Integer.toString(w.index()), "state", s1),
                        w.path().equals(s1) ? 1 : 0));
            }
            if (w.lastHandshakeEpochMillis() > 0) {
                handshakeTime.dataPoint(point(l, w.lastHandshakeEpochMillis() / 1000.0));
            }
            inGroup.dataPoint(point(l, w.inGroup() ? 1 : 0));
            process.dataPoint(point(l, w.process().equals("running") ? 1 : 0));
            looping.dataPoint(point(l, w.crashLooping() ? 1 : 0));
            if (w.handshakeAgeSeconds() >= 0) {
                handshakeAge.dataPoint(point(l, w.handshakeAgeSeconds()));
            }
            if (w.lastReceiveAgeSeconds() >= 0) {
                receiveAge.dataPoint(point(l, w.lastReceiveAgeSeconds()));
            }
            rxBytes.dataPoint(total(l, w.rxBytes()));
            txBytes.dataPoint(total(l, w.txBytes()));
            rxPackets.dataPoint(total(l, w.rxPackets()));
            txPackets.dataPoint(total(l, w.txPackets()));
            handshakes.dataPoint(total(l, w.handshakes()));
            initiationsSent.dataPoint(total(l, w.handshakeInitiationsSent()));
            initiationsReceived.dataPoint(total(l, w.handshakeInitiationsReceived()));
            keepalivesSent.dataPoint(total(l, w.keepalivesSent()));
            keepalivesReceived.dataPoint(total(l, w.keepalivesReceived()));
            udpRx.dataPoint(total(l, w.udpRxBytes()));
            udpTx.dataPoint(total(l, w.udpTxBytes()));
            cpu.dataPoint(total(l, w.cpuSeconds()));
            restarts.dataPoint(total(l, w.restarts()));
            for (Map.Entry<String, Long> d : w.drops().entrySet()) {
                drops.dataPoint(total(Labels.of("site", s.site(), "worker", Integer.toString(w.index()),
                        "reason", d.getKey()), d.getValue()));
            }
        }
        out.add(info.build());
        for (var g : List.of(up, state, inGroup, process, looping, handshakeAge, handshakeTime, receiveAge)) {
            out.add(g.build());
        }
        for (var c : List.of(rxBytes, txBytes, rxPackets, txPackets, udpRx, udpTx, handshakes, initiationsSent,
                initiationsReceived, keepalivesSent, keepalivesReceived, drops, cpu, restarts)) {
            out.add(c.build());
        }
        return new MetricSnapshots(out);
    }

    private static GaugeSnapshot.Builder gauge(String name, String help, Unit unit) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        return unit == null ? b : b.unit(unit);
    }

    private static CounterSnapshot.Builder counter(String name, String help, Unit unit) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        return unit == null ? b : b.unit(unit);
    }

    private static GaugeSnapshot.GaugeDataPointSnapshot point(Labels labels, double value) {
        return GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
    }

    private static CounterSnapshot.CounterDataPointSnapshot total(Labels labels, double value) {
        return CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build();
    }
}
