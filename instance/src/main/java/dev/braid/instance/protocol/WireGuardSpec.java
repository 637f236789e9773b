package dev.braid.instance.protocol;

/**
 * The constants the WireGuard protocol fixes (the paper, sections 5 and 6, and wireguard-go's
 * {@code constants.go} / {@code noise-protocol.go}); changing any of them breaks interoperability.
 * Choices that are Braid's own (buffer sizes, how long "under load" lasts) live with the code that
 * makes them, not here. Times are in nanoseconds of a monotonic clock.
 */
public final class WireGuardSpec {
    private WireGuardSpec() {
    }

    public static final String CONSTRUCTION = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
    public static final String IDENTIFIER = "WireGuard v1 zx2c4 Jason@zx2c4.com";
    public static final String LABEL_MAC1 = "mac1----";
    public static final String LABEL_COOKIE = "cookie--";

    // Message types: one byte followed by three zero bytes, read as a little-endian u32 like
    // wireguard-go does, so non-zero "reserved" bytes make a message unknown.
    public static final int MESSAGE_INITIATION = 1;
    public static final int MESSAGE_RESPONSE = 2;
    public static final int MESSAGE_COOKIE_REPLY = 3;
    public static final int MESSAGE_TRANSPORT = 4;

    public static final int KEY_BYTES = 32;
    public static final int HASH_BYTES = 32;
    public static final int MAC_BYTES = 16;
    public static final int TAG_BYTES = 16;
    public static final int TAI64N_BYTES = 12;
    public static final int COOKIE_BYTES = 16;
    public static final int COOKIE_NONCE_BYTES = 24;

    public static final int INITIATION_BYTES = 148;
    public static final int RESPONSE_BYTES = 92;
    public static final int COOKIE_REPLY_BYTES = 64;
    public static final int TRANSPORT_HEADER_BYTES = 16;
    /** An empty transport message (header + tag): the keepalive. */
    public static final int KEEPALIVE_BYTES = TRANSPORT_HEADER_BYTES + TAG_BYTES;
    public static final int PADDING_MULTIPLE = 16;

    public static final long REKEY_AFTER_MESSAGES = 1L << 60;
    /** 2^64 − 2^13 − 1 as an unsigned 64-bit value; compare with {@link Long#compareUnsigned}. */
    public static final long REJECT_AFTER_MESSAGES = -(1L << 13) - 1;

    private static final long SECOND_NANOS = 1_000_000_000L;
    public static final long REKEY_AFTER_TIME_NANOS = 120 * SECOND_NANOS;
    public static final long REJECT_AFTER_TIME_NANOS = 180 * SECOND_NANOS;
    public static final long REKEY_ATTEMPT_TIME_NANOS = 90 * SECOND_NANOS;
    public static final long REKEY_TIMEOUT_NANOS = 5 * SECOND_NANOS;
    public static final long KEEPALIVE_TIMEOUT_NANOS = 10 * SECOND_NANOS;
    public static final long COOKIE_REFRESH_TIME_NANOS = 120 * SECOND_NANOS;
    /** Retransmissions and the new-handshake timer add a uniform jitter of 0..333 ms (wireguard-go: rand.Int31n(334) ms). */
    public static final long REKEY_TIMEOUT_JITTER_MAX_NANOS = 333_000_000L;
    /** Handshake attempts after the first before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
    public static final int MAX_TIMER_HANDSHAKES = (int) (REKEY_ATTEMPT_TIME_NANOS / REKEY_TIMEOUT_NANOS);
    /** A responder consumes at most one initiation per peer per this interval (50 per second). */
    public static final long HANDSHAKE_INITIATION_RATE_NANOS = SECOND_NANOS / 50;
}
