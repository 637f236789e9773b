package dev.braid.gateway.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;


import dev.braid.gateway.config.ConfigException;
import dev.braid.gateway.config.SiteConfigLoader;
import dev.braid.gateway.status.ControlSocket;
import dev.braid.gateway.status.SiteStatus;

/**
 * `braid status [--json] [CONFIG | --state-dir DIR]`: a `wg show`-style view of a running site —
 * per worker its CPU, port, link, path state, handshake age, endpoint, transfer and drops, and the
 * nexthop group as the kernel has it — asked from the supervisor over its control socket. Without
 * CONFIG it finds the one site running on this machine.
 */
final class StatusCommand implements CliCommand {
    static final Path RUN_DIR = Path.of("/run/braid");

    @Override
    public String name() {
        return "status";
    }

    @Override
    public String summary() {
        return "show a running site: paths, handshakes, endpoints, transfer, drops, the nexthop group";
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        boolean json = false;
        Path stateDir = null;
        Path config = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--state-dir") && i + 1 < args.size()) {
                stateDir = Path.of(args.get(++i));
            } else if (!a.startsWith("-") && config == null) {
                config = Path.of(a);
            } else {
                err.println("usage: braid status [--json] [CONFIG | --state-dir DIR]");
                return USAGE;
            }
        }
        if (config != null) {
            try {
                stateDir = SiteConfigLoader.load(config).stateDir();
            } catch (ConfigException e) {
                e.errors().forEach(err::println);
                return USAGE;
            }
        }
        Path socket;
        if (stateDir != null) {
            socket = stateDir.resolve(ControlSocket.FILE_NAME);
        } else {
            List<Path> running = runningSockets();
            if (running.isEmpty()) {
                err.println("braid status: no running Braid site found (no " + RUN_DIR + "/*/" + ControlSocket.FILE_NAME
                        + "); is braid running? (systemctl status braid)");
                return FAILED;
            }
            if (running.size() > 1) {
                err.println("braid status: several sites run here; name one with CONFIG or --state-dir:");
                running.forEach(p -> err.println("  --state-dir " + p.getParent()));
                return USAGE;
            }
            socket = running.getFirst();
        }
        SiteStatus status;
        try {
            status = ControlSocket.query(socket);
        } catch (IOException e) {
            err.println("braid status: cannot reach the supervisor at " + socket + ": " + e.getMessage()
                    + " (is the site running? are you root?)");
            return FAILED;
        }
        if (json) {
            out.println(ControlSocket.JSON.writeValueAsString(status));
        } else {
            out.print(render(status));
        }
        return OK;
    }

    static List<Path> runningSockets() throws IOException {
        List<Path> out = new ArrayList<>();
        if (Files.isDirectory(RUN_DIR)) {
            try (var dirs = Files.list(RUN_DIR)) {
                for (Path d : dirs.sorted().toList()) {
                    Path sock = d.resolve(ControlSocket.FILE_NAME);
                    if (Files.exists(sock)) {
                        out.add(sock);
                    }
                }
            }
        }
        return out;
    }

    static String render(SiteStatus s) {
        StringBuilder b = new StringBuilder();
        long up = s.workers().stream().filter(w -> w.path().equals("up")).count();
        b.append(String.format(Locale.ROOT, "site: %s  (braid %s, supervisor pid %d, up %s)%n", s.site(), s.version(),
                s.supervisorPid(), duration(s.uptimeSeconds())));
        b.append(String.format(Locale.ROOT, "  paths up: %d of %d%s%n", up, s.workers().size(),
                s.routesUnreachable() ? "  -- no path up: remote routes are unreachable" : ""));
        b.append(String.format(Locale.ROOT, "  floating address: %s on %s%n", s.floatingAddress(), s.floatingInterface()));
        b.append(String.format(Locale.ROOT, "  peer endpoint: %s%n", s.peerEndpoint()));
        b.append(String.format(Locale.ROOT, "  nexthop group %d: %s%s, members %s%n", s.groupId(), s.groupType(),
                s.groupBuckets() > 0 ? " (" + s.groupBuckets() + " buckets)" : "", s.groupMembers()));
        for (String r : s.routes()) {
            b.append("  route: ").append(r).append('\n');
        }
        for (SiteStatus.WorkerStatus w : s.workers()) {
            b.append('\n');
            b.append(String.format(Locale.ROOT, "worker %d: cpu %d, udp %d -> %d, %s %s -> %s%n", w.index(), w.cpu(),
                    w.listenPort(), w.peerPort(), w.tun(), w.localLinkAddress(), w.peerLinkAddress()));
            b.append(String.format(Locale.ROOT, "  path: %s%s%n", w.path(), w.inGroup() ? " (in group)" : " (not in group)"));
            b.append(String.format(Locale.ROOT, "  latest handshake: %s%n",
                    w.handshakeAgeSeconds() < 0 ? "none" : duration(w.handshakeAgeSeconds()) + " ago"));
            b.append(String.format(Locale.ROOT, "  last packet received: %s%n",
                    w.lastReceiveAgeSeconds() < 0 ? "none" : String.format(Locale.ROOT, "%.2f s ago", w.lastReceiveAgeSeconds())));
            b.append(String.format(Locale.ROOT, "  endpoint: %s%n", w.endpoint().isEmpty() ? "(none yet)" : w.endpoint()));
            b.append(String.format(Locale.ROOT, "  transfer: %s received, %s sent%n", bytes(w.rxBytes()), bytes(w.txBytes())));
            StringBuilder drops = new StringBuilder();
            for (Map.Entry<String, Long> d : w.drops().entrySet()) {
                if (d.getValue() > 0) {
                    drops.append(drops.isEmpty() ? "" : ", ").append(d.getKey()).append(' ').append(d.getValue());
                }
            }
            b.append("  drops: ").append(drops.isEmpty() ? "none" : drops).append('\n');
            b.append(String.format(Locale.ROOT, "  process: pid %d, %s%s, restarts %d, cpu %.1f s%n", w.pid(), w.process(),
                    w.crashLooping() ? " (CRASH-LOOPING, last exit status " + w.lastExitCode() + ")" : "", w.restarts(),
                    w.cpuSeconds()));
            b.append("  aead: ").append(w.aead()).append(w.aead().equals("jdk-cipher")
                    ? " (the slower fallback: the worker's log says why the intrinsics were not usable)" : "").append('\n');
        }
        return b.toString();
    }

    static String duration(double seconds) {
        long s = (long) seconds;
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        if (s < 86400) {
            return (s / 3600) + " h " + (s % 3600 / 60) + " min";
        }
        return (s / 86400) + " d " + (s % 86400 / 3600) + " h";
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
