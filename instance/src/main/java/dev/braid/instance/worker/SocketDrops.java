package dev.braid.instance.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Datagrams the kernel dropped at the worker's own socket because its receive buffer was full (the
 * loop did not read fast enough): the "drops" column of /proc/self/net/udp and udp6 for the
 * worker's port. Read once a second by the loop's tick, so that this loss, which happens before any
 * Braid code sees the packet, still has a named counter.
 */
final class SocketDrops {
    private static final List<Path> TABLES = List.of(Path.of("/proc/self/net/udp"), Path.of("/proc/self/net/udp6"));

    private SocketDrops() {
    }

    /** Total drops of every UDP socket bound to {@code port} in this network namespace, or -1 if unreadable. */
    static long forPort(int port) {
        String hexPort = String.format(":%04X", port);
        long total = 0;
        boolean found = false;
        for (Path table : TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String[] f = lines.get(i).trim().split("\\s+");
                // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
                if (f.length >= 13 && f[1].endsWith(hexPort)) {
                    total += Long.parseLong(f[f.length - 1]);
                    found = true;
                }
            }
        }
        return found ? total : -1;
    }
}
