package dev.braid.instance.protocol;

import java.util.random.RandomGenerator;

/**
 * WireGuard's per-peer timers (paper §6; wireguard-go timers.go, itself a copy of the kernel's
 * timers.c) as a pure state machine over a monotonic clock the caller passes in. The worker
 * reports events as they happen (the {@code data*}, {@code any*} and {@code handshake*} methods,
 * called exactly where wireguard-go calls its {@code timers*} functions) and calls
 * {@link #poll} on every loop turn or tick; poll returns the bit set of actions that fell due and
 * the worker performs them:
 * <ul>
 * <li>{@link #RETRANSMIT_HANDSHAKE}: send a new initiation ({@code beginHandshakeInitiation(now, true)});</li>
 * <li>{@link #HANDSHAKE_GAVE_UP}: the attempts ran out — drop packets waiting for a keypair;</li>
 * <li>{@link #SEND_KEEPALIVE} / {@link #PERSISTENT_KEEPALIVE}: send an empty transport message;</li>
 * <li>{@link #NEW_HANDSHAKE}: we sent data and heard nothing back — start a handshake ({@code beginHandshakeInitiation(now, false)});</li>
 * <li>{@link #ZERO_KEY_MATERIAL}: forget all keypairs and the handshake.</li>
 * </ul>
 * {@link #nextDeadlineNanos} tells the loop when to wake up next. Jitter comes from an injected
 * random so tests can fix it. Times are compared as differences, so nanoTime wrap-around is harmless.
 */
public final class Timers {
    public static final int RETRANSMIT_HANDSHAKE = 1;
    public static final int SEND_KEEPALIVE = 1 << 1;
    public static final int NEW_HANDSHAKE = 1 << 2;
    public static final int ZERO_KEY_MATERIAL = 1 << 3;
    public static final int PERSISTENT_KEEPALIVE = 1 << 4;
    public static final int HANDSHAKE_GAVE_UP = 1 << 5;

    private static final long MILLI_NANOS = 1_000_000L;
    private static final long REJECT_AFTER_TIME_X3_NANOS = 3 * WireGuardSpec.REJECT_AFTER_TIME_NANOS;
    /** When an initiator asks for a new handshake on receive: well before its keypair expires (165 s). */
    private static final long RECEIVE_REKEY_AGE_NANOS = WireGuardSpec.REJECT_AFTER_TIME_NANOS
            - WireGuardSpec.KEEPALIVE_TIMEOUT_NANOS - WireGuardSpec.REKEY_TIMEOUT_NANOS;

    private final RandomGenerator random;
    private long persistentKeepaliveIntervalNanos;

    private final Deadline retransmitHandshake = new Deadline();
    private final Deadline sendKeepalive = new Deadline();
    private final Deadline newHandshake = new Deadline();
    private final Deadline zeroKeyMaterial = new Deadline();
    private final Deadline persistentKeepalive = new Deadline();
    private final Deadline[] allDeadlines = {retransmitHandshake, sendKeepalive, newHandshake, zeroKeyMaterial, persistentKeepalive};

    private int handshakeAttempts;
    private boolean needAnotherKeepalive;
    private boolean sentLastMinuteHandshake;
    private boolean hasSentInitiation;
    private long lastInitiationSentNanos;

    /**
     * @param random                            the jitter source
     * @param persistentKeepaliveIntervalNanos  0 = off; Braid also uses sub-second values for path liveness
     */
    public Timers(RandomGenerator random, long persistentKeepaliveIntervalNanos) {
        this.random = random;
        setPersistentKeepaliveInterval(persistentKeepaliveIntervalNanos);
    }

    public void setPersistentKeepaliveInterval(long intervalNanos) {
        if (intervalNanos < 0) {
            throw new IllegalArgumentException("persistent keepalive interval must be >= 0 ns (0 = off), got " + intervalNanos);
        }
        persistentKeepaliveIntervalNanos = intervalNanos;
        if (intervalNanos == 0) {
            persistentKeepalive.cancel();
        }
    }

    public long persistentKeepaliveIntervalNanos() {
        return persistentKeepaliveIntervalNanos;
    }

    /** After a transport message with a non-empty payload was sent. */
    public void dataSent(long nowNanos) {
        if (!newHandshake.pending) {
            newHandshake.arm(nowNanos + WireGuardSpec.KEEPALIVE_TIMEOUT_NANOS + WireGuardSpec.REKEY_TIMEOUT_NANOS + jitterNanos());
        }
    }

    /** After an authenticated transport message with a non-empty payload was received. */
    public void dataReceived(long nowNanos) {
        if (!sendKeepalive.pending) {
            sendKeepalive.arm(nowNanos + WireGuardSpec.KEEPALIVE_TIMEOUT_NANOS);
        } else {
            needAnotherKeepalive = true;
        }
    }

    /** After any authenticated message was sent: keepalive, data or handshake. */
    public void anyAuthenticatedPacketSent() {
        sendKeepalive.cancel();
    }

    /** After any authenticated message was received: keepalive, data or handshake. */
    public void anyAuthenticatedPacketReceived() {
        newHandshake.cancel();
    }

    /** Before an authenticated message is sent, or after one is received. */
    public void anyAuthenticatedPacketTraversal(long nowNanos) {
        if (persistentKeepaliveIntervalNanos > 0) {
            persistentKeepalive.arm(nowNanos + persistentKeepaliveIntervalNanos);
        }
    }

    /**
     * Whether to send a handshake initiation now (wireguard-go's SendHandshakeInitiation preamble).
     * A fresh attempt ({@code isRetry} false) resets the attempt count. At most one initiation per
     * REKEY_TIMEOUT is sent; when this returns true the send time is recorded, and the caller
     * creates, macs and sends the initiation, then calls {@link #handshakeInitiated}.
     */
    public boolean beginHandshakeInitiation(long nowNanos, boolean isRetry) {
        if (!isRetry) {
            handshakeAttempts = 0;
        }
        if (hasSentInitiation && nowNanos - lastInitiationSentNanos < WireGuardSpec.REKEY_TIMEOUT_NANOS) {
            return false;
        }
        hasSentInitiation = true;
        lastInitiationSentNanos = nowNanos;
        return true;
    }

    /** After a handshake initiation was sent. */
    public void handshakeInitiated(long nowNanos) {
        retransmitHandshake.arm(nowNanos + WireGuardSpec.REKEY_TIMEOUT_NANOS + jitterNanos());
    }

    /** After a response was consumed, or the first data message arrived on a responder's new keypair. */
    public void handshakeComplete() {
        retransmitHandshake.cancel();
        handshakeAttempts = 0;
        sentLastMinuteHandshake = false;
    }

    /** After a keypair was derived: before sending a response, or after consuming one. */
    public void sessionDerived(long nowNanos) {
        zeroKeyMaterial.arm(nowNanos + REJECT_AFTER_TIME_X3_NANOS);
    }

    /**
     * Fires the timers due at {@code nowNanos} and returns their actions as a bit set (0 if none).
     * A timer fires once per arming.
     */
    public int poll(long nowNanos) {
        int actions = 0;
        if (retransmitHandshake.fire(nowNanos)) {
            if (handshakeAttempts > WireGuardSpec.MAX_TIMER_HANDSHAKES) {
                actions |= HANDSHAKE_GAVE_UP;
                sendKeepalive.cancel();
                // Destroy whatever is left of the partial exchange eventually.
                if (!zeroKeyMaterial.pending) {
                    zeroKeyMaterial.arm(nowNanos + REJECT_AFTER_TIME_X3_NANOS);
                }
            } else {
                handshakeAttempts++;
                actions |= RETRANSMIT_HANDSHAKE;
            }
        }
        if (sendKeepalive.fire(nowNanos)) {
            actions |= SEND_KEEPALIVE;
            if (needAnotherKeepalive) {
                needAnotherKeepalive = false;
                sendKeepalive.arm(nowNanos + WireGuardSpec.KEEPALIVE_TIMEOUT_NANOS);
            }
        }
        if (newHandshake.fire(nowNanos)) {
            actions |= NEW_HANDSHAKE;
        }
        if (zeroKeyMaterial.fire(nowNanos)) {
            actions |= ZERO_KEY_MATERIAL;
        }
        if (persistentKeepalive.fire(nowNanos) && persistentKeepaliveIntervalNanos > 0) {
            actions |= PERSISTENT_KEEPALIVE;
        }
        return actions;
    }

    /** Whether any timer is armed; if not, {@link #nextDeadlineNanos} has no meaning. */
    public boolean hasPendingTimer() {
        for (Deadline d : allDeadlines) {
            if (d.pending) {
                return true;
            }
        }
        return false;
    }

    /** The earliest time a timer is due, or {@link Long#MAX_VALUE} when none is armed (see {@link #hasPendingTimer}). */
    public long nextDeadlineNanos() {
        long next = Long.MAX_VALUE;
        boolean any = false;
        for (Deadline d : allDeadlines) {
            if (d.pending && (!any || d.atNanos - next < 0)) {
                next = d.atNanos;
                any = true;
            }
        }
        return next;
    }

    /** Handshake retransmissions since the last fresh attempt (wireguard-go's handshakeAttempts). */
    public int handshakeAttempts() {
        return handshakeAttempts;
    }

    /**
     * Send-side key freshness (wireguard-go keepKeyFreshSending), asked after sending with the
     * current keypair: true when a new handshake should start because the keypair has sent more
     * than REKEY_AFTER_MESSAGES, or we initiated it and it is older than REKEY_AFTER_TIME.
     */
    public boolean rekeyDueOnSend(Keypair current, long nowNanos) {
        if (current == null) {
            return false;
        }
        return Long.compareUnsigned(current.sendCounter(), WireGuardSpec.REKEY_AFTER_MESSAGES) > 0
                || (current.isInitiator() && current.ageNanos(nowNanos) > WireGuardSpec.REKEY_AFTER_TIME_NANOS);
    }

    /**
     * Receive-side key freshness (wireguard-go keepKeyFreshReceiving), asked after each authenticated
     * transport message: true once per handshake when we initiated the current keypair and it is older
     * than REJECT_AFTER_TIME − KEEPALIVE_TIMEOUT − REKEY_TIMEOUT, so a handshake completes before it
     * expires even if we have nothing to send.
     */
    public boolean rekeyDueOnReceive(Keypair current, long nowNanos) {
        if (sentLastMinuteHandshake || current == null) {
            return false;
        }
        if (current.isInitiator() && current.ageNanos(nowNanos) > RECEIVE_REKEY_AGE_NANOS) {
            sentLastMinuteHandshake = true;
            return true;
        }
        return false;
    }

    /** Cancels every timer (peer removed or worker stopping). */
    public void stop() {
        for (Deadline d : allDeadlines) {
            d.cancel();
        }
    }

    private long jitterNanos() {
        return random.nextLong(WireGuardSpec.REKEY_TIMEOUT_JITTER_MAX_NANOS / MILLI_NANOS + 1) * MILLI_NANOS;
    }

    /** One kernel-style timer: armed with an absolute deadline, or not pending. */
    private static final class Deadline {
        boolean pending;
        long atNanos;

        void arm(long deadlineNanos) {
            pending = true;
            atNanos = deadlineNanos;
        }

        void cancel() {
            pending = false;
        }

        boolean fire(long nowNanos) {
            if (pending && nowNanos - atNanos >= 0) {
                pending = false;
                return true;
            }
            return false;
        }
    }
}
