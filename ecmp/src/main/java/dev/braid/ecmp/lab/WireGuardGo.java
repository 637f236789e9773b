package dev.braid.ecmp.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Stock wireguard-go (the Debian package) as the far end of a path in the lab. Its control socket
 * lives at /var/run/wireguard/&lt;ifname&gt;.sock, shared by every namespace, so each instance gets
 * a unique interface name. Runs in the foreground as a child of the namespace, so closing the
 * namespace ends it.
 */
public final class WireGuardGo {
    private final Netns ns;
    private final String ifname;

    private WireGuardGo(Netns ns, String ifname) {
        this.ns = ns;
        this.ifname = ifname;
    }

    /** Starts wireguard-go in {@code ns} on a fresh uniquely named interface and waits for its socket. */
    public static WireGuardGo start(Netns ns, Path log) throws IOException {
        String ifname = "wg" + Long.toString(ProcessHandle.current().pid() % 10000, 36)
                + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36 * 36), 36);
        ns.start(List.of("env", "LOG_LEVEL=error", "wireguard-go", "-f", ifname), log);
        Path sock = Path.of("/var/run/wireguard/" + ifname + ".sock");
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sock.toFile().exists()) {
            if (System.nanoTime() > end) {
                throw new IOException("wireguard-go did not create " + sock + " within 10 s (see " + log + ")");
            }
            Netns.sleep(20);
        }
        return new WireGuardGo(ns, ifname);
    }

    public String ifname() {
        return ifname;
    }

    /** {@code wg set IF ...} inside the namespace. */
    public void set(String... args) {
        List<String> cmd = new ArrayList<>(List.of("wg", "set", ifname));
        cmd.addAll(List.of(args));
        ns.run(Duration.ofSeconds(10), cmd);
    }

    /** {@code wg show IF DUMP-FIELD}, e.g. "latest-handshakes", "transfer", "endpoints". */
    public String show(String field) {
        return ns.run(Duration.ofSeconds(10), List.of("wg", "show", ifname, field)).stdout().strip();
    }

    /** Seconds since the epoch of the peer's latest handshake, 0 if none. */
    public long latestHandshakeEpochSeconds() {
        String out = show("latest-handshakes");
        if (out.isEmpty()) {
            return 0;
        }
        String[] fields = out.split("\\s+");
        return Long.parseLong(fields[fields.length - 1]);
    }
}
