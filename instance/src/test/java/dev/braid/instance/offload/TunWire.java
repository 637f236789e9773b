package dev.braid.instance.offload;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLongArray;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

import dev.braid.instance.tun.TunDevice;

/**
 * A user-space "wire" between two TUNs, on one thread: poll both fds; from the readable one read up
 * to a budget of packets, cut each with {@link TcpSegmenter} into slots (16 bytes of headroom, as the
 * worker will), offer every segment to the other side's {@link TcpCoalescer} and flush it at the end
 * of the burst. In per-packet mode the coalescers track no flows, so every segment is its own write.
 * Statistics are published for the test thread; {@link #sabotageEvery} damages the checksum field of
 * every n-th super-packet written towards B, to show that the test's checksum check can fail.
 */
final class TunWire implements AutoCloseable {
    static final int HEADROOM = 16;
    private static final int READ_BUDGET = 64;
    private static final int BATCH = 64;
    private static final int MTU = 1500;

    // statistics slots
    static final int READS = 0;
    static final int READ_BYTES = 1;
    static final int GSO_READS = 2;
    static final int SEGMENTS = 3;
    static final int DROPS = 4;
    static final int WRITES = 5;
    static final int SUPER_WRITES = 6;
    static final int SEGMENTS_IN_SUPER = 7;
    static final int WRITE_ERRORS = 8;
    static final int CHECKSUM_FAILURES = 9;
    static final int SABOTAGED = 10;
    static final int STAT_COUNT = 11;
    /** Offsets of each direction's statistics in {@link #snapshot}: read from A (written to B), and back. */
    static final int A_TO_B = 0;
    static final int B_TO_A = STAT_COUNT;

    private interface Poll extends Library {
        Poll LIBC = Native.load("c", Poll.class);

        int poll(com.sun.jna.Pointer fds, int nfds, int timeoutMillis) throws LastErrorException;
    }

    private final TunDevice a;
    private final TunDevice b;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean perPacket;
    private volatile int sabotageEvery;
    private final AtomicLongArray stats = new AtomicLongArray(2 * STAT_COUNT);
    private final long[] dropsByReason = new long[OffloadDropReason.values().length];
    private volatile Throwable failure;

    TunWire(TunDevice a, TunDevice b) {
        this.a = a;
        this.b = b;
        this.thread = Thread.ofPlatform().daemon().name("tun-wire").start(this::run);
    }

    void perPacket(boolean on) {
        perPacket = on;
    }

    void sabotageEvery(int n) {
        sabotageEvery = n;
    }

    /** A statistic summed over both directions. */
    long stat(int slot) {
        return stats.get(A_TO_B + slot) + stats.get(B_TO_A + slot);
    }

    /** Both directions' statistics: [A_TO_B + slot] and [B_TO_A + slot]. */
    long[] snapshot() {
        long[] s = new long[2 * STAT_COUNT];
        for (int i = 0; i < s.length; i++) {
            s[i] = stats.get(i);
        }
        return s;
    }

    synchronized String drops() {
        StringBuilder sb = new StringBuilder();
        for (OffloadDropReason r : OffloadDropReason.values()) {
            if (dropsByReason[r.ordinal()] > 0) {
                sb.append(r.label()).append('=').append(dropsByReason[r.ordinal()]).append(' ');
            }
        }
        return sb.toString().strip();
    }

    Throwable failure() {
        return failure;
    }

    private final class Direction {
        final TunDevice from;
        final TunDevice to;
        final boolean towardsB;
        final int base;
        final TcpCoalescer coalescer;
        final TcpCoalescer single;
        long superWrites;

        Direction(TunDevice from, TunDevice to, boolean towardsB) {
            this.from = from;
            this.to = to;
            this.towardsB = towardsB;
            this.base = towardsB ? A_TO_B : B_TO_A;
            this.coalescer = new TcpCoalescer(BATCH, MTU, 64, this::write);
            this.single = new TcpCoalescer(BATCH, MTU, 0, this::write);
        }

        void write(ByteBuffer packet, int length) {
            if (packet.get(1) != VirtioNetHeader.GSO_NONE) {
                superWrites++;
                int n = sabotageEvery;
                if (towardsB && n > 0 && superWrites % n == 0) {
                    int field = VirtioNetHeader.LENGTH + (packet.get(6) & 0xff) + VirtioNetHeader.TCP_CSUM_OFFSET;
                    packet.put(field, (byte) (packet.get(field) + 1));
                    stats.incrementAndGet(base + SABOTAGED);
                }
            }
            try {
                to.fd().write(packet, 0, length);
            } catch (IOException e) {
                stats.incrementAndGet(base + WRITE_ERRORS);
            }
        }
    }

    private void run() {
        Direction ab = new Direction(a, b, true);
        Direction ba = new Direction(b, a, false);
        TcpSegmenter segmenter = new TcpSegmenter(MTU);
        ByteBuffer read = ByteBuffer.allocateDirect(VirtioNetHeader.LENGTH + 65535 + 64);
        byte[][] slots = new byte[BATCH][HEADROOM + MTU + 32];
        int[] lengths = new int[BATCH];
        try (Memory fds = new Memory(16)) {
            fds.setInt(0, a.fd().intValue());
            fds.setShort(4, (short) 1); // POLLIN
            fds.setInt(8, b.fd().intValue());
            fds.setShort(12, (short) 1);
            while (running) {
                fds.setShort(6, (short) 0);
                fds.setShort(14, (short) 0);
                int ready;
                try {
                    ready = Poll.LIBC.poll(fds, 2, 100);
                } catch (LastErrorException e) {
                    continue; // EINTR
                }
                if (ready <= 0) {
                    continue;
                }
                if (fds.getShort(6) != 0) {
                    pump(ab, segmenter, read, slots, lengths);
                }
                if (fds.getShort(14) != 0) {
                    pump(ba, segmenter, read, slots, lengths);
                }
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void pump(Direction d, TcpSegmenter segmenter, ByteBuffer read, byte[][] slots, int[] lengths) throws IOException {
        TcpCoalescer out = perPacket ? d.single : d.coalescer;
        long writesBefore = out.writes();
        long superBefore = out.superPacketWrites();
        long inSuperBefore = out.segmentsInSuperPackets();
        long checksumBefore = out.checksumFailures();
        for (int r = 0; r < READ_BUDGET; r++) {
            int n = d.from.fd().read(read, 0, read.capacity());
            if (n <= 0) {
                break;
            }
            stats.incrementAndGet(d.base + READS);
            stats.addAndGet(d.base + READ_BYTES, n - VirtioNetHeader.LENGTH);
            int count = segmenter.begin(read, 0, n);
            if (count < 0) {
                stats.incrementAndGet(d.base + DROPS);
                synchronized (this) {
                    dropsByReason[OffloadDropReason.ofCode(count).ordinal()]++;
                }
                continue;
            }
            if (isGso(read)) {
                stats.incrementAndGet(d.base + GSO_READS);
            }
            stats.addAndGet(d.base + SEGMENTS, count);
            while (segmenter.hasNext()) {
                int k = segmenter.drainTo(slots, 0, HEADROOM, lengths);
                for (int i = 0; i < k; i++) {
                    out.offer(slots[i], HEADROOM, lengths[i]);
                }
            }
        }
        out.flush();
        stats.addAndGet(d.base + WRITES, out.writes() - writesBefore);
        stats.addAndGet(d.base + SUPER_WRITES, out.superPacketWrites() - superBefore);
        stats.addAndGet(d.base + SEGMENTS_IN_SUPER, out.segmentsInSuperPackets() - inSuperBefore);
        stats.addAndGet(d.base + CHECKSUM_FAILURES, out.checksumFailures() - checksumBefore);
    }

    private static boolean isGso(ByteBuffer read) {
        return read.get(1) != VirtioNetHeader.GSO_NONE;
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
