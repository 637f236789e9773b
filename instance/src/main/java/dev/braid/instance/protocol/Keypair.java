package dev.braid.instance.protocol;

import javax.crypto.spec.SecretKeySpec;

/**
 * One direction-pair of transport keys from a completed handshake: what {@link TransportCipher}
 * needs to seal (send key, the peer's index, the next counter) and open (receive key, our index,
 * the replay window). Keys are held as the JDK cipher takes them and as the key words of
 * {@link IntrinsicChaCha20Poly1305}; {@link SecretKeySpec} copies the bytes, and the derived arrays are wiped by {@link NoiseHandshake#deriveKeypair}. Dropping
 * the last reference (see {@link KeypairSet#clear}) is how key material goes away — the JDK
 * offers no way to wipe a SecretKeySpec's copy.
 */
public final class Keypair {
    final SecretKeySpec sendKey;
    final SecretKeySpec receiveKey;
    /** The same keys as 8 little-endian words, as {@link IntrinsicChaCha20Poly1305} takes them. */
    final int[] sendKeyWords;
    final int[] receiveKeyWords;
    private final int localIndex;
    private final int remoteIndex;
    private final boolean initiator;
    private final long createdNanos;
    /** The counter the next sealed message takes (unsigned). */
    long sendCounter;
    final ReplayWindow replayWindow = new ReplayWindow();

    Keypair(byte[] sendKey, byte[] receiveKey, int localIndex, int remoteIndex, boolean initiator, long createdNanos) {
        this.sendKey = new SecretKeySpec(sendKey, ChaChaPoly.ALGORITHM);
        this.receiveKey = new SecretKeySpec(receiveKey, ChaChaPoly.ALGORITHM);
        this.sendKeyWords = IntrinsicChaCha20Poly1305.keyWords(sendKey);
        this.receiveKeyWords = IntrinsicChaCha20Poly1305.keyWords(receiveKey);
        this.localIndex = localIndex;
        this.remoteIndex = remoteIndex;
        this.initiator = initiator;
        this.createdNanos = createdNanos;
    }

    /** Our index: transport messages to us carry it as their receiver index. */
    public int localIndex() {
        return localIndex;
    }

    /** The peer's index: our transport messages carry it. */
    public int remoteIndex() {
        return remoteIndex;
    }

    /** True if we sent the initiation of the handshake that made this keypair. */
    public boolean isInitiator() {
        return initiator;
    }

    public long createdNanos() {
        return createdNanos;
    }

    public long ageNanos(long nowNanos) {
        return nowNanos - createdNanos;
    }

    /** The counter the next sealed message will carry (unsigned). */
    public long sendCounter() {
        return sendCounter;
    }

    /**
     * Whether messages may still be sealed with this keypair (wireguard-go's send path): fewer than
     * REJECT_AFTER_MESSAGES sent and younger than REJECT_AFTER_TIME. If not, start a handshake.
     */
    public boolean canSend(long nowNanos) {
        return Long.compareUnsigned(sendCounter, WireGuardSpec.REJECT_AFTER_MESSAGES) < 0
                && ageNanos(nowNanos) < WireGuardSpec.REJECT_AFTER_TIME_NANOS;
    }

    /** Whether messages sealed with this keypair are still accepted: no older than REJECT_AFTER_TIME. */
    public boolean canReceive(long nowNanos) {
        return ageNanos(nowNanos) <= WireGuardSpec.REJECT_AFTER_TIME_NANOS;
    }

    @Override
    public String toString() {
        return "Keypair[local=" + Integer.toUnsignedString(localIndex) + ", remote=" + Integer.toUnsignedString(remoteIndex)
                + (initiator ? ", initiator" : ", responder") + ", sent=" + Long.toUnsignedString(sendCounter) + "]";
    }
}
