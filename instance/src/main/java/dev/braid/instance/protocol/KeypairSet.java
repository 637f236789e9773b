package dev.braid.instance.protocol;

/**
 * The keypairs of the one peer, with WireGuard's rotation (wireguard-go BeginSymmetricSession and
 * ReceivedWithKeypair): a keypair the initiator derives becomes {@code current} at once (it has
 * proof the responder holds it: the response); a responder's stays {@code next} until the first
 * authentic transport message on it confirms the initiator has it too, and only then moves to
 * current. The one before current is kept as {@code previous} so messages in flight during a
 * rekey still open. At most three keypairs, so receiver-index lookup is a scan of three fields.
 * Not thread-safe: owned by the worker thread.
 */
public final class KeypairSet {
    private Keypair previous;
    private Keypair current;
    private Keypair next;

    /** Installs a freshly derived keypair, rotating the others out as WireGuard does. */
    public void install(Keypair fresh) {
        if (fresh.isInitiator()) {
            if (next != null) {
                // A responder keypair never confirmed: it is newer than current, so keep it as previous.
                previous = next;
                next = null;
            } else {
                previous = current;
            }
            current = fresh;
        } else {
            next = fresh;
            previous = null;
        }
    }

    /**
     * Call after a transport message authenticated with {@code received}. If that was the unconfirmed
     * {@code next} keypair, it becomes current (and current previous) and this returns true: the
     * handshake is complete ({@link Timers#handshakeComplete}) and queued packets may be sent.
     */
    public boolean confirm(Keypair received) {
        if (received == null || received != next) {
            return false;
        }
        previous = current;
        current = next;
        next = null;
        return true;
    }

    /** The keypair whose local index a received message names, or null (UNKNOWN_RECEIVER_INDEX). */
    public Keypair forLocalIndex(int receiverIndex) {
        if (current != null && current.localIndex() == receiverIndex) {
            return current;
        }
        if (next != null && next.localIndex() == receiverIndex) {
            return next;
        }
        if (previous != null && previous.localIndex() == receiverIndex) {
            return previous;
        }
        return null;
    }

    /** Whether a keypair still answers to this index; new handshakes must pick another. */
    public boolean isLocalIndexInUse(int index) {
        return forLocalIndex(index) != null;
    }

    /** The keypair to seal with, or null. Check {@link Keypair#canSend} before using it. */
    public Keypair current() {
        return current;
    }

    public Keypair previous() {
        return previous;
    }

    public Keypair next() {
        return next;
    }

    /**
     * Forgets keypairs older than REJECT_AFTER_TIME: they can neither send nor receive any more, so
     * this only frees their indices early. Returns how many were dropped.
     */
    public int removeExpired(long nowNanos) {
        int removed = 0;
        if (previous != null && !previous.canReceive(nowNanos)) {
            previous = null;
            removed++;
        }
        if (current != null && !current.canReceive(nowNanos)) {
            current = null;
            removed++;
        }
        if (next != null && !next.canReceive(nowNanos)) {
            next = null;
            removed++;
        }
        return removed;
    }

    /** Forgets every keypair (Timers.ZERO_KEY_MATERIAL, or the peer is going away). */
    public void clear() {
        previous = null;
        current = null;
        next = null;
    }
}
