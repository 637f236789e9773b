package dev.braid.ecmp.lab.impair;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Where an {@link ImpairmentRelay} listens and forwards. For each port p it binds
 * {@code a.relayAddress:p} (the socket site A talks to) and {@code b.relayAddress:p} (the one site B
 * talks to); what arrives on the first goes to {@code b.siteAddress:p}, what arrives on the second
 * to {@code a.siteAddress:p}.
 *
 * @param namespace network namespace to open the sockets in (via setns), or null for the caller's own
 * @param a side A: the relay's address facing A, and A's underlay address
 * @param b side B: the relay's address facing B, and B's underlay address
 * @param ports the relayed UDP ports (one per worker pair: base + i), distinct
 * @param seed seeds both directions' random decisions (each direction draws its own sequence)
 * @param delaySlotsPerDirection how many datagrams each direction's delay queue holds (netem's limit)
 * @param slotBytes largest datagram that can be delayed; larger ones are dropped and counted tooLarge
 * @param socketBufferBytes SO_RCVBUF and SO_SNDBUF asked for each socket (the kernel caps at rmem_max/wmem_max)
 */
public record RelayConfig(String namespace, Side a, Side b, List<Integer> ports, long seed,
                          int delaySlotsPerDirection, int slotBytes, int socketBufferBytes) {

    public static final long DEFAULT_SEED = 1;
    public static final int DEFAULT_DELAY_SLOTS = 4096;
    public static final int DEFAULT_SLOT_BYTES = 2048;
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 << 20;

    /** One site's side of the relay. */
    public record Side(InetAddress relayAddress, InetAddress siteAddress) {
        public Side {
            Objects.requireNonNull(relayAddress, "relayAddress");
            Objects.requireNonNull(siteAddress, "siteAddress");
        }
    }

    public RelayConfig {
        Objects.requireNonNull(a, "side a");
        Objects.requireNonNull(b, "side b");
        if (namespace != null && namespace.isBlank()) {
            throw new IllegalArgumentException("namespace must be null (this namespace) or a name, not blank");
        }
        ports = List.copyOf(ports);
        if (ports.isEmpty()) {
            throw new IllegalArgumentException("the relay needs at least one port");
        }
        Set<Integer> seen = new HashSet<>();
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is outside 1..65535");
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException("port " + p + " is listed twice in " + ports);
            }
        }
        if (a.relayAddress().equals(b.relayAddress())) {
            throw new IllegalArgumentException("the relay needs one address per side (both are "
                    + a.relayAddress().getHostAddress() + "): it tells the directions apart by the socket a"
                    + " datagram arrives on");
        }
        if (delaySlotsPerDirection < 1 || slotBytes < 1 || socketBufferBytes < 1) {
            throw new IllegalArgumentException("delaySlotsPerDirection, slotBytes and socketBufferBytes must be"
                    + " positive (got " + delaySlotsPerDirection + ", " + slotBytes + ", " + socketBufferBytes + ")");
        }
    }

    /** Defaults: seed 1, 4096 delay slots of 2048 bytes per direction, 4 MiB socket buffers. */
    public static RelayConfig of(String namespace, Side a, Side b, List<Integer> ports) {
        return new RelayConfig(namespace, a, b, ports, DEFAULT_SEED, DEFAULT_DELAY_SLOTS, DEFAULT_SLOT_BYTES,
                DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /** {@code count} consecutive ports from {@code base}: the ports of workers 0..count-1. */
    public static List<Integer> portRange(int base, int count) {
        return java.util.stream.IntStream.range(base, base + count).boxed().toList();
    }

    public RelayConfig withSeed(long newSeed) {
        return new RelayConfig(namespace, a, b, ports, newSeed, delaySlotsPerDirection, slotBytes, socketBufferBytes);
    }

    public RelayConfig withDelayQueue(int slots, int bytesPerSlot) {
        return new RelayConfig(namespace, a, b, ports, seed, slots, bytesPerSlot, socketBufferBytes);
    }

    public RelayConfig withSocketBufferBytes(int bytes) {
        return new RelayConfig(namespace, a, b, ports, seed, delaySlotsPerDirection, slotBytes, bytes);
    }

    public Side side(Direction from) {
        return from == Direction.A_TO_B ? a : b;
    }
}
