package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;

import org.junit.jupiter.api.Test;

class TransportCipherTest {
    private static final long T0 = 5_000_000_000L;
    private static final int HEADROOM = 16;

    private final TransportCipher cipher = new TransportCipher();
    private final TestKeypairs keys = new TestKeypairs(42, T0);

    private static byte[] payload(int length, long seed) {
        byte[] p = new byte[length];
        new Random(seed).nextBytes(p);
        return p;
    }

    /** A buffer with the payload at HEADROOM and room for padding and the tag. */
    private static byte[] packetBuffer(byte[] payload) {
        byte[] buf = new byte[HEADROOM + payload.length + 64];
        Arrays.fill(buf, (byte) 0x5A); // garbage the padding must overwrite
        System.arraycopy(payload, 0, buf, HEADROOM, payload.length);
        return buf;
    }

    @Test
    void sealAndOpenRoundTripInPlaceForManySizes() {
        for (int length = 0; length <= 1500; length += 37) {
            byte[] payload = payload(length, length);
            byte[] buf = packetBuffer(payload);
            int sealed = cipher.seal(keys.initiator, buf, HEADROOM, length);
            int padded = (length + 15) / 16 * 16;
            assertEquals(16 + padded + 16, sealed);
            assertEquals(TransportCipher.sealedLength(length, 0), sealed);
            assertEquals(WireGuardSpec.MESSAGE_TRANSPORT, buf[0]);
            assertEquals(keys.responder.localIndex(), TransportHeader.receiverIndex(buf, 0));

            int opened = cipher.open(keys.responder, buf, 0, sealed, T0);
            assertEquals(padded, opened);
            assertArrayEquals(payload, Arrays.copyOfRange(buf, HEADROOM, HEADROOM + length));
            for (int i = length; i < padded; i++) {
                assertEquals(0, buf[HEADROOM + i], "padding is zeros");
            }
        }
    }

    @Test
    void countersAreConsecutiveLittleEndianFromZero() {
        for (long expected = 0; expected < 3; expected++) {
            byte[] buf = packetBuffer(new byte[10]);
            cipher.seal(keys.initiator, buf, HEADROOM, 10);
            assertEquals(expected, TransportHeader.counter(buf, 0));
            assertEquals((byte) expected, buf[8]);
        }
        assertEquals(3, keys.initiator.sendCounter());
    }

    @Test
    void paddingStopsAtTheMtuLikeWireGuardGo() {
        assertEquals(1424, TransportCipher.paddedLength(1420, 0));
        assertEquals(1420, TransportCipher.paddedLength(1420, 1420));
        assertEquals(1420, TransportCipher.paddedLength(1419, 1420));
        assertEquals(1408, TransportCipher.paddedLength(1401, 1420));
        assertEquals(0, TransportCipher.paddedLength(0, 1420));
        assertEquals(16, TransportCipher.paddedLength(1, 1420));

        byte[] payload = payload(1419, 7);
        byte[] buf = packetBuffer(payload);
        int sealed = cipher.seal(keys.initiator, buf, HEADROOM, payload.length, 1420);
        assertEquals(16 + 1420 + 16, sealed);
        assertEquals(1420, cipher.open(keys.responder, buf, 0, sealed, T0));
    }

    @Test
    void refusesBuffersWithoutHeadroomOrTailroom() {
        byte[] buf = new byte[100];
        assertThrows(IllegalArgumentException.class, () -> cipher.seal(keys.initiator, buf, 15, 10));
        assertThrows(IllegalArgumentException.class, () -> cipher.seal(keys.initiator, buf, 16, 70)); // 80 + 16 > 84
        assertEquals(16 + 64 + 16, cipher.seal(keys.initiator, buf, 16, 64));
        assertEquals(1, keys.initiator.sendCounter(), "refused seals take no counter");
    }

    private byte[] sealedMessage(int length) {
        byte[] buf = packetBuffer(payload(length, 99));
        int sealed = cipher.seal(keys.initiator, buf, HEADROOM, length);
        return Arrays.copyOf(buf, sealed);
    }

    private int open(Keypair keypair, byte[] message) {
        return cipher.open(keypair, message, 0, message.length, T0);
    }

    @Test
    void everyFlippedBitIsRejectedWithTheReasonOfItsField() {
        byte[] original = sealedMessage(40);
        for (int bit = 0; bit < original.length * 8; bit++) {
            byte[] message = original.clone();
            message[bit / 8] ^= (byte) (1 << (bit % 8));
            int byteIndex = bit / 8;
            DropReason expected;
            if (byteIndex < 4) {
                expected = DropReason.UNKNOWN_MESSAGE_TYPE;
            } else if (byteIndex < 8) {
                expected = DropReason.UNKNOWN_RECEIVER_INDEX;
            } else {
                expected = DropReason.DECRYPT_FAILED; // counter (the nonce), ciphertext or tag
            }
            assertEquals(expected.code(), open(keys.responder, message), "bit " + bit);
        }
        assertEquals(48, open(keys.responder, original), "the untouched message still opens: rejects changed nothing");
    }

    @Test
    void wrongKeyTruncatedReplayedAndExpiredAreDistinct() {
        byte[] message = sealedMessage(40);

        TestKeypairs other = new TestKeypairs(43, T0);
        Keypair wrongKey = new Keypair(other.responder.receiveKey.getEncoded(), other.responder.sendKey.getEncoded(),
                keys.responder.localIndex(), 0, false, T0);
        assertEquals(DropReason.DECRYPT_FAILED.code(), open(wrongKey, message.clone()));

        assertEquals(DropReason.BAD_LENGTH.code(), cipher.open(keys.responder, message.clone(), 0, 31, T0));
        assertEquals(DropReason.BAD_LENGTH.code(), cipher.open(keys.responder, message.clone(), 0, 3, T0));
        assertEquals(DropReason.DECRYPT_FAILED.code(), cipher.open(keys.responder, message.clone(), 0, message.length - 1, T0));

        assertEquals(DropReason.EXPIRED_KEYPAIR.code(), cipher.open(keys.responder, message.clone(), 0, message.length,
                T0 + WireGuardSpec.REJECT_AFTER_TIME_NANOS + 1));

        assertEquals(48, open(keys.responder, message.clone()));
        assertEquals(DropReason.REPLAYED_COUNTER.code(), open(keys.responder, message.clone()));
    }

    @Test
    void aForgedMessageDoesNotMoveTheReplayWindow() {
        byte[] first = sealedMessage(20);
        byte[] forged = sealedMessage(20);
        // An attacker rewrites the counter far ahead; the tag fails, and the window must not jump.
        ByteOrderAccess.putLongLE(forged, 8, 1_000_000);
        assertEquals(DropReason.DECRYPT_FAILED.code(), open(keys.responder, forged));
        assertEquals(32, open(keys.responder, first), "counter 0 is still inside the window");
    }

    @Test
    void keepaliveIsAnEmptyMessageOf32Bytes() {
        byte[] buf = new byte[64];
        assertEquals(32, cipher.seal(keys.responder, buf, 16, 0));
        assertEquals(0, cipher.open(keys.initiator, buf, 0, 32, T0));
    }

    @Test
    void theLastCountersBeforeRejectAfterMessages() throws Exception {
        keys.initiator.sendCounter = WireGuardSpec.REJECT_AFTER_MESSAGES - 1;
        byte[] buf = packetBuffer(new byte[8]);
        int sealed = cipher.seal(keys.initiator, buf, HEADROOM, 8);
        assertEquals(WireGuardSpec.REJECT_AFTER_MESSAGES - 1, TransportHeader.counter(buf, 0));
        assertEquals(16, cipher.open(keys.responder, buf, 0, sealed, T0), "the last counter is still accepted");

        byte[] next = packetBuffer(new byte[8]);
        assertEquals(DropReason.SEND_COUNTER_EXHAUSTED.code(), cipher.seal(keys.initiator, next, HEADROOM, 8));
        assertEquals(DropReason.SEND_COUNTER_EXHAUSTED.code(), cipher.seal(keys.initiator, next, HEADROOM, 8));
        assertEquals(WireGuardSpec.REJECT_AFTER_MESSAGES, keys.initiator.sendCounter(), "the counter sticks at the limit");
        assertEquals(false, keys.initiator.canSend(T0));

        // A peer that ignores the limit: authentic, but the counter is refused.
        byte[] beyond = sealWithCounter(keys.initiator, WireGuardSpec.REJECT_AFTER_MESSAGES, new byte[8]);
        assertEquals(DropReason.REPLAYED_COUNTER.code(), cipher.open(keys.responder, beyond, 0, beyond.length, T0));
        byte[] max = sealWithCounter(keys.initiator, -1L, new byte[8]);
        assertEquals(DropReason.REPLAYED_COUNTER.code(), cipher.open(keys.responder, max, 0, max.length, T0));
    }

    /** Seals directly with the JDK, bypassing TransportCipher's counter rules, as a misbehaving peer would. */
    private static byte[] sealWithCounter(Keypair sender, long counter, byte[] plaintext) throws Exception {
        byte[] message = new byte[16 + plaintext.length + 16];
        TransportHeader.write(message, 0, sender.remoteIndex(), counter);
        Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
        jdk.init(Cipher.ENCRYPT_MODE, sender.sendKey, new IvParameterSpec(ChaChaPoly.nonce(counter)));
        jdk.doFinal(plaintext, 0, plaintext.length, message, 16);
        return message;
    }

    @Test
    void keypairAgeLimits() {
        Keypair k = keys.initiator;
        assertEquals(true, k.canSend(T0 + WireGuardSpec.REJECT_AFTER_TIME_NANOS - 1));
        assertEquals(false, k.canSend(T0 + WireGuardSpec.REJECT_AFTER_TIME_NANOS));
        assertEquals(true, k.canReceive(T0 + WireGuardSpec.REJECT_AFTER_TIME_NANOS));
        assertEquals(false, k.canReceive(T0 + WireGuardSpec.REJECT_AFTER_TIME_NANOS + 1));
    }

    @Test
    void messageTypeDispatch() {
        byte[] m = new byte[8];
        for (int type = 1; type <= 4; type++) {
            m[0] = (byte) type;
            assertEquals(type, Messages.typeOf(m, 0, m.length));
        }
        m[0] = 5;
        assertEquals(DropReason.UNKNOWN_MESSAGE_TYPE.code(), Messages.typeOf(m, 0, m.length));
        m[0] = 4;
        m[3] = 1; // reserved bytes must be zero
        assertEquals(DropReason.UNKNOWN_MESSAGE_TYPE.code(), Messages.typeOf(m, 0, m.length));
        assertEquals(DropReason.BAD_LENGTH.code(), Messages.typeOf(m, 0, 3));
    }
}
