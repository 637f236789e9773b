package dev.braid.ecmp.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * iperf3 between two lab namespaces: a one-shot server bound to an address in one, a client in the
 * other, the client's JSON report returned as text for the caller to parse. Every run is bounded:
 * the client is killed if it runs past its duration plus a margin.
 */
public final class Iperf3 {
    private Iperf3() {
    }

    /** Starts a one-off server ({@code -1}) bound to {@code address}:{@code port} and waits until it listens. */
    public static Process server(Netns ns, String address, int port, Path log) throws IOException {
        Process p = ns.start(List.of("iperf3", "-s", "-1", "-B", address, "-p", Integer.toString(port)), log);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            Command.Result r = ns.tryRun(Duration.ofSeconds(5), List.of("ss", "-Htln", "sport = :" + port));
            if (r.ok() && !r.stdout().isBlank()) {
                return p;
            }
            Netns.sleep(50);
        }
        throw new IOException("iperf3 server on " + address + ":" + port + " did not start listening (see " + log + ")");
    }

    /**
     * Runs a TCP client for {@code seconds} with {@code streams} parallel streams and returns the
     * JSON report. {@code reverse} makes the server send. {@code bindAddress} may be null.
     */
    public static String tcpClient(Netns ns, String server, int port, int seconds, int streams, boolean reverse,
                                   String bindAddress, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("iperf3", "-c", server, "-p", Integer.toString(port),
                "-t", Integer.toString(seconds), "-P", Integer.toString(streams), "-J", "-i", "1"));
        if (reverse) {
            cmd.add("-R");
        }
        if (bindAddress != null) {
            cmd.addAll(List.of("-B", bindAddress));
        }
        cmd.addAll(List.of(extra));
        Command.Result r = ns.tryRun(Duration.ofSeconds(seconds + 30L), cmd);
        if (!r.ok()) {
            throw new IllegalStateException("iperf3 client failed (exit " + r.exitCode() + "): "
                    + Command.abbreviate(r.stdout() + r.stderr()));
        }
        return r.stdout();
    }
}
