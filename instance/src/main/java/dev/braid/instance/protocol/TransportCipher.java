package dev.braid.instance.protocol;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

/**
 * Seals and opens transport-data messages in place in a caller-owned buffer — the per-packet path.
 * Sending: the caller reads a packet from the TUN at {@code payloadOffset} (leaving 16 bytes of
 * headroom before it and padding + 16 tag bytes after it); {@link #seal} zero-pads the payload to a
 * multiple of 16 (capped at the MTU, as wireguard-go does), writes the header into the headroom,
 * encrypts in place, appends the tag and returns the length of the message to send from
 * {@code payloadOffset − 16}. Receiving: the caller maps the receiver index to a {@link Keypair}
 * (see {@link KeypairSet#forLocalIndex}); {@link #open} checks, decrypts in place, verifies the tag
 * and only then consults the keypair's replay window; the plaintext is at {@code offset + 16}.
 * <p>
 * The AEAD is {@link IntrinsicChaCha20Poly1305} — the JDK's ChaCha20 and Poly1305 intrinsics called
 * per message without {@code Cipher.init}, allocating nothing — when this JVM lets it bind (see its
 * JVM_OPTIONS; the supervisor starts workers with them). Otherwise one JDK ChaCha20-Poly1305
 * {@link Cipher} per direction, which needs {@code Cipher.init} per message (a new nonce) and
 * allocates ~2.2 KB for it. {@link #implementation()} says which; TransportCipherAllocationTest
 * prints the measured bytes per packet. Not thread-safe: one per worker thread.
 */
public final class TransportCipher {
    private final Cipher sealCipher;
    private final Cipher openCipher;
    private final byte[] nonce = new byte[ChaChaPoly.NONCE_BYTES];
    /** Null when the JDK's entry points are not reachable: the Ciphers do the work then. */
    private final IntrinsicChaCha20Poly1305 intrinsics;

    /** Uses the intrinsics when this JVM allows it, the JDK's Cipher otherwise. */
    public TransportCipher() {
        this(true);
    }

    /** {@code useIntrinsics} false forces the JDK's Cipher (benchmarks compare the two). */
    public TransportCipher(boolean useIntrinsics) {
        intrinsics = useIntrinsics ? IntrinsicChaCha20Poly1305.createOrNull() : null;
        try {
            sealCipher = Cipher.getInstance(ChaChaPoly.ALGORITHM);
            openCipher = Cipher.getInstance(ChaChaPoly.ALGORITHM);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no " + ChaChaPoly.ALGORITHM + " cipher; Braid needs JDK 25", e);
        }
    }

    /** "jdk-intrinsics" or "jdk-cipher": which AEAD implementation seals and opens. */
    public String implementation() {
        return intrinsics != null ? "jdk-intrinsics" : "jdk-cipher";
    }

    /**
     * The payload length after WireGuard's zero padding: up to a multiple of 16, but never beyond
     * the MTU (a full-MTU packet is not padded past it). {@code mtuBytes} 0 means no cap.
     */
    public static int paddedLength(int payloadLength, int mtuBytes) {
        int padded = (payloadLength + WireGuardSpec.PADDING_MULTIPLE - 1) & -WireGuardSpec.PADDING_MULTIPLE;
        if (mtuBytes <= 0 || payloadLength > mtuBytes) {
            return padded;
        }
        return Math.min(padded, mtuBytes);
    }

    /** The message length {@link #seal} produces for a payload: header + padded payload + tag. */
    public static int sealedLength(int payloadLength, int mtuBytes) {
        return TransportHeader.LENGTH + paddedLength(payloadLength, mtuBytes) + WireGuardSpec.TAG_BYTES;
    }

    /** {@link #seal(Keypair, byte[], int, int, int)} with padding to a multiple of 16 and no MTU cap. */
    public int seal(Keypair keypair, byte[] buf, int payloadOffset, int payloadLength) {
        return seal(keypair, buf, payloadOffset, payloadLength, 0);
    }

    /**
     * Turns buf[payloadOffset, +payloadLength) into a transport message starting at
     * {@code payloadOffset − 16}, taking the keypair's next counter. Returns the message length, or
     * {@link DropReason#SEND_COUNTER_EXHAUSTED}'s code when the keypair may send no more.
     *
     * @throws IllegalArgumentException if there is not the headroom or tailroom the message needs
     */
    public int seal(Keypair keypair, byte[] buf, int payloadOffset, int payloadLength, int mtuBytes) {
        int padded = paddedLength(payloadLength, mtuBytes);
        if (payloadOffset < TransportHeader.LENGTH || payloadLength < 0
                || buf.length - payloadOffset < padded + WireGuardSpec.TAG_BYTES) {
            throw new IllegalArgumentException("a " + payloadLength + "-byte payload at offset " + payloadOffset
                    + " needs 16 bytes before it and " + (padded - payloadLength + WireGuardSpec.TAG_BYTES)
                    + " after it in the " + buf.length + "-byte buffer");
        }
        long counter = keypair.sendCounter;
        if (Long.compareUnsigned(counter, WireGuardSpec.REJECT_AFTER_MESSAGES) >= 0) {
            return DropReason.SEND_COUNTER_EXHAUSTED.code();
        }
        keypair.sendCounter = counter + 1;
        Arrays.fill(buf, payloadOffset + payloadLength, payloadOffset + padded, (byte) 0);
        TransportHeader.write(buf, payloadOffset - TransportHeader.LENGTH, keypair.remoteIndex(), counter);
        if (intrinsics != null) {
            intrinsics.seal(keypair.sendKeyWords, counter, buf, payloadOffset, padded);
            return TransportHeader.LENGTH + padded + WireGuardSpec.TAG_BYTES;
        }
        ByteOrderAccess.putLongLE(nonce, 4, counter);
        try {
            sealCipher.init(Cipher.ENCRYPT_MODE, keypair.sendKey, new IvParameterSpec(nonce));
            return TransportHeader.LENGTH + sealCipher.doFinal(buf, payloadOffset, padded, buf, payloadOffset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's " + ChaChaPoly.ALGORITHM + " refused to seal counter "
                    + Long.toUnsignedString(counter) + " for " + keypair, e);
        }
    }

    /**
     * Opens the transport message buf[offset, +length) in place with {@code keypair} (the one its
     * receiver index maps to). Returns the plaintext length (0 for a keepalive; the plaintext, still
     * padded, is at {@code offset + 16}) or a negative {@link DropReason} code: BAD_LENGTH,
     * UNKNOWN_MESSAGE_TYPE, UNKNOWN_RECEIVER_INDEX (not this keypair's index), EXPIRED_KEYPAIR,
     * DECRYPT_FAILED, REPLAYED_COUNTER. The replay window changes only for authentic messages.
     */
    public int open(Keypair keypair, byte[] buf, int offset, int length, long nowNanos) {
        int malformed = TransportHeader.check(buf, offset, length);
        if (malformed < 0) {
            return malformed;
        }
        if (TransportHeader.receiverIndex(buf, offset) != keypair.localIndex()) {
            return DropReason.UNKNOWN_RECEIVER_INDEX.code();
        }
        if (!keypair.canReceive(nowNanos)) {
            return DropReason.EXPIRED_KEYPAIR.code();
        }
        long counter = TransportHeader.counter(buf, offset);
        int contentOffset = offset + TransportHeader.LENGTH;
        int plaintextLength;
        if (intrinsics != null) {
            plaintextLength = length - TransportHeader.LENGTH - WireGuardSpec.TAG_BYTES;
            if (!intrinsics.open(keypair.receiveKeyWords, counter, buf, contentOffset, plaintextLength)) {
                return DropReason.DECRYPT_FAILED.code();
            }
        } else {
            ByteOrderAccess.putLongLE(nonce, 4, counter);
            try {
                openCipher.init(Cipher.DECRYPT_MODE, keypair.receiveKey, new IvParameterSpec(nonce));
                plaintextLength = openCipher.doFinal(buf, contentOffset, length - TransportHeader.LENGTH, buf, contentOffset);
            } catch (AEADBadTagException e) {
                return DropReason.DECRYPT_FAILED.code();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK's " + ChaChaPoly.ALGORITHM + " refused to open a message for " + keypair, e);
            }
        }
        if (!keypair.replayWindow.validate(counter)) {
            return DropReason.REPLAYED_COUNTER.code();
        }
        return plaintextLength;
    }
}
