package dev.braid.instance.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.SplittableRandom;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

/**
 * The intrinsic-backed AEAD against the JDK's own ChaCha20-Poly1305 Cipher, message by message, over
 * enough messages that the JIT compiles the calling code and the stubs take over from the Java
 * fallbacks (the two must agree, and with the Cipher); tampering; and the final reduction of the
 * Poly1305 accumulator against BigInteger arithmetic, for the limb values the JDK's code can leave.
 * The build's surefire configuration passes the JVM options the class needs.
 */
class IntrinsicChaCha20Poly1305Test {
    private static final BigInteger P = BigInteger.TWO.pow(130).subtract(BigInteger.valueOf(5));

    @Test
    void bindsInTheTestJvm() {
        assertNull(IntrinsicChaCha20Poly1305.unavailableReason());
        assertNotNull(IntrinsicChaCha20Poly1305.createOrNull());
        assertEquals("jdk-intrinsics", new TransportCipher().implementation());
        assertEquals("jdk-cipher", new TransportCipher(false).implementation());
    }

    @Test
    void sealsExactlyAsTheJdkCipherAndOpensWhatItSeals() throws Exception {
        IntrinsicChaCha20Poly1305 aead = IntrinsicChaCha20Poly1305.createOrNull();
        Cipher cipher = Cipher.getInstance(ChaChaPoly.ALGORITHM);
        SplittableRandom random = new SplittableRandom(0x62726169L);
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] roomy = new byte[70_000];
        // 30,000 messages: the first run interpreted, the rest compiled (C2 after ~10k calls); every
        // other one in a buffer that ends with the tag, the others in one where the bytes after the
        // tag must stay as they were
        for (int i = 0; i < 30_000; i++) {
            if (i % 1000 == 0) {
                random.nextBytes(key);
            }
            int length = i % 97 == 0 ? random.nextInt(66_000) : random.nextInt(2_100);
            long counter = i % 5 == 0 ? random.nextLong() : i;
            int offset = random.nextInt(16);
            byte[] plain = new byte[length];
            random.nextBytes(plain);
            byte[] buf = i % 2 == 0 ? roomy : new byte[offset + length + 16];
            byte[] after = i % 2 == 0 ? Arrays.copyOfRange(roomy, offset + length + 16, offset + length + 48) : null;
            System.arraycopy(plain, 0, buf, offset, length);
            int[] words = IntrinsicChaCha20Poly1305.keyWords(key);
            aead.seal(words, counter, buf, offset, length);

            ByteOrderAccess.putLongLE(nonce, 4, counter);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, ChaChaPoly.ALGORITHM), new IvParameterSpec(nonce));
            byte[] expected = cipher.doFinal(plain);
            if (!Arrays.equals(buf, offset, offset + length + 16, expected, 0, expected.length)) {
                throw new AssertionError("message " + i + " (" + length + " bytes, counter "
                        + Long.toUnsignedString(counter) + ") sealed differently from the JDK's Cipher");
            }
            assertTrue(aead.open(words, counter, buf, offset, length), "message " + i + " did not open");
            if (!Arrays.equals(buf, offset, offset + length, plain, 0, length)) {
                throw new AssertionError("message " + i + " opened to a different plaintext");
            }
            if (after != null && !Arrays.equals(after, Arrays.copyOfRange(roomy, offset + length + 16, offset + length + 48))) {
                throw new AssertionError("message " + i + ": the bytes after the tag changed");
            }
        }
    }

    @Test
    void refusesATamperedMessageAndLeavesItAsItWas() {
        IntrinsicChaCha20Poly1305 aead = IntrinsicChaCha20Poly1305.createOrNull();
        int[] words = IntrinsicChaCha20Poly1305.keyWords(new byte[32]);
        byte[] buf = new byte[100 + 16];
        Arrays.fill(buf, 0, 100, (byte) 0x5a);
        aead.seal(words, 7, buf, 0, 100);
        for (int position : new int[] {0, 50, 99, 100, 115}) {
            byte[] tampered = buf.clone();
            tampered[position] ^= 1;
            byte[] before = tampered.clone();
            assertFalse(aead.open(words, 7, tampered, 0, 100), "flipped bit at " + position);
            assertArrayEquals(before, tampered, "a refused message must stay as it was");
        }
        byte[] copy = buf.clone();
        assertFalse(aead.open(words, 8, copy, 0, 100), "another counter is another nonce");
        assertFalse(aead.open(IntrinsicChaCha20Poly1305.keyWords(filled((byte) 1)), 7, buf.clone(), 0, 100), "another key");
        assertTrue(aead.open(words, 7, buf, 0, 100));
    }

    @Test
    void finalReductionMatchesBigIntegerForOverfullAndNegativeLimbs() {
        SplittableRandom random = new SplittableRandom(1305);
        byte[] tag = new byte[16];
        long mask = (1L << 26) - 1;
        long[][] edges = {
                {mask, mask, mask, mask, mask}, // 2^130 − 1
                {mask - 4, mask, mask, mask, mask}, // p
                {mask - 5, mask, mask, mask, mask}, // p − 1
                {mask - 3, mask, mask, mask, mask}, // p + 1
                {0, 0, 0, 0, 0},
                {-1, 0, 0, 0, 0},
                {-5, 0, 0, 0, 0},
                {1L << 58, 1L << 58, 1L << 58, 1L << 58, 1L << 58},
                {-(1L << 58), -(1L << 58), -(1L << 58), -(1L << 58), -(1L << 58)},
                {mask + 5, mask, mask, mask, mask},
        };
        for (int i = 0; i < 200_000; i++) {
            long[] limbs = new long[5];
            if (i < edges.length) {
                limbs = edges[i].clone();
            } else {
                int bits = 1 + random.nextInt(i % 3 == 0 ? 58 : 28);
                for (int l = 0; l < 5; l++) {
                    limbs[l] = random.nextLong(-(1L << bits), 1L << bits);
                }
                if (i % 7 == 0) {
                    Arrays.fill(limbs, 1, 5, mask);
                }
            }
            long sLow = random.nextLong();
            long sHigh = random.nextLong();
            IntrinsicChaCha20Poly1305.finish(limbs.clone(), sLow, sHigh, tag);

            BigInteger a = BigInteger.ZERO;
            for (int l = 4; l >= 0; l--) {
                a = a.shiftLeft(26).add(BigInteger.valueOf(limbs[l]));
            }
            BigInteger s = new BigInteger(1, bigEndian(sHigh, sLow));
            BigInteger expected = a.mod(P).add(s).mod(BigInteger.TWO.pow(128));
            BigInteger actual = new BigInteger(1, reverse(tag));
            if (!expected.equals(actual)) {
                throw new AssertionError("limbs " + Arrays.toString(limbs) + ": tag " + actual.toString(16)
                        + ", expected " + expected.toString(16));
            }
        }
    }

    private static byte[] filled(byte value) {
        byte[] key = new byte[32];
        Arrays.fill(key, value);
        return key;
    }

    private static byte[] bigEndian(long high, long low) {
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (high >>> (56 - 8 * i));
            out[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return out;
    }

    private static byte[] reverse(byte[] littleEndian) {
        byte[] out = new byte[littleEndian.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = littleEndian[out.length - 1 - i];
        }
        return out;
    }
}
