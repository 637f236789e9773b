package dev.braid.instance.protocol;

import java.time.Instant;
import java.util.Arrays;

/**
 * The 12-byte TAI64N timestamp an initiator encrypts into each initiation so the responder can
 * refuse replays: big-endian seconds since 1970 plus 2^62 + 10 (TAI64's label, as wireguard-go
 * writes it), then big-endian nanoseconds with the low 24 bits cleared — wireguard-go's
 * "whitening", so the stamp does not expose the sender's clock at full resolution (about 16.8 ms
 * granularity; the per-peer initiation rate limit is 20 ms, so honest initiations still increase).
 * Comparison is unsigned bytewise, which is chronological for this encoding.
 */
public final class Tai64n {
    public static final int BYTES = WireGuardSpec.TAI64N_BYTES;
    private static final long BASE_SECONDS = 0x400000000000000AL;
    private static final int WHITENER_MASK = 0xFFFFFF;

    private Tai64n() {
    }

    public static void write(long epochSeconds, int nanos, byte[] out, int offset) {
        ByteOrderAccess.putLongBE(out, offset, BASE_SECONDS + epochSeconds);
        ByteOrderAccess.putIntBE(out, offset + 8, nanos & ~WHITENER_MASK);
    }

    public static byte[] of(Instant instant) {
        byte[] out = new byte[BYTES];
        write(instant.getEpochSecond(), instant.getNano(), out, 0);
        return out;
    }

    /** True when {@code a} is strictly later than {@code b}. */
    public static boolean isAfter(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, 0, BYTES, b, 0, BYTES) > 0;
    }
}
