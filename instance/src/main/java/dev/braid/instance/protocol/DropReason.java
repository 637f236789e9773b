package dev.braid.instance.protocol;

import java.util.Locale;

/**
 * Why a received message was dropped (or, for the send side, refused). Every drop has a name and,
 * in the worker, its own counter, as in the Linux driver. {@link #label()} is the lower-case name
 * used as the Prometheus {@code reason} label; {@link #code()} is the negative number the hot-path
 * methods return instead of allocating. Codes are stable: new reasons are appended, never renumbered.
 */
public enum DropReason {
    /** The length is not the exact size of its message type (or too short for a transport message). */
    BAD_LENGTH(-1),
    /** The first four bytes are not a known type with three zero bytes. */
    UNKNOWN_MESSAGE_TYPE(-2),
    /** mac1 does not match: not addressed to our public key, or damaged. */
    BAD_MAC1(-3),
    /** Under load and mac2 is missing or wrong: answered with a cookie reply, not processed. */
    BAD_MAC2(-4),
    /** An AEAD tag did not verify (handshake field or transport data). */
    DECRYPT_FAILED(-5),
    /** An initiation from a static key that is not our peer's. */
    UNKNOWN_PEER(-6),
    /** An initiation whose TAI64N timestamp is not newer than the newest seen from this peer (a replay). */
    STALE_TIMESTAMP(-7),
    /** An initiation sooner than HANDSHAKE_INITIATION_RATE after the last one consumed from this peer. */
    RATE_LIMITED(-8),
    /** A Diffie-Hellman result was all zero: the other side sent a low-order point. */
    BAD_PUBLIC_KEY(-9),
    /** The receiver index names no handshake or keypair of ours. */
    UNKNOWN_RECEIVER_INDEX(-10),
    /** An authenticated transport counter that was already seen or is behind the window. */
    REPLAYED_COUNTER(-11),
    /** A transport message for a keypair older than REJECT_AFTER_TIME. */
    EXPIRED_KEYPAIR(-12),
    /** A cookie reply that does not answer our last mac1 or does not decrypt. */
    BAD_COOKIE_REPLY(-13),
    /** Send side: the keypair has used all REJECT_AFTER_MESSAGES counters. */
    SEND_COUNTER_EXHAUSTED(-14);

    private static final DropReason[] BY_CODE = values();

    private final int code;
    private final String label;

    DropReason(int code) {
        this.code = code;
        this.label = name().toLowerCase(Locale.ROOT);
    }

    /** The negative value hot-path methods return for this reason. */
    public int code() {
        return code;
    }

    /** The Prometheus label value, e.g. {@code replayed_counter}. */
    public String label() {
        return label;
    }

    /** The reason for a negative code returned by a hot-path method. */
    public static DropReason ofCode(int code) {
        int index = -code - 1;
        if (index < 0 || index >= BY_CODE.length) {
            throw new IllegalArgumentException("not a drop-reason code: " + code);
        }
        DropReason reason = BY_CODE[index];
        assert reason.code == code;
        return reason;
    }
}
