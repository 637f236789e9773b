package dev.braid.instance.protocol;

import java.security.GeneralSecurityException;
import java.util.Arrays;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ChaCha20-Poly1305 (RFC 8439) through the JDK's cipher, for handshake fields and cookie replies:
 * a fresh {@link Cipher} per call, because the JDK refuses to encrypt twice with the same key and
 * nonce on one instance and handshake fields all use nonce 0 (a test that repeats a handshake with
 * fixed keys would trip it). The per-packet path is {@link TransportCipher}, which reuses instances.
 * WireGuard's 12-byte nonce is 4 zero bytes then the 64-bit counter little-endian.
 */
final class ChaChaPoly {
    static final String ALGORITHM = "ChaCha20-Poly1305";
    static final int NONCE_BYTES = 12;

    private ChaChaPoly() {
    }

    static byte[] nonce(long counter) {
        byte[] nonce = new byte[NONCE_BYTES];
        ByteOrderAccess.putLongLE(nonce, 4, counter);
        return nonce;
    }

    /** Encrypts plaintext into out (ciphertext then 16-byte tag); returns the bytes written. */
    static int seal(byte[] key, byte[] nonce, byte[] plaintext, int plaintextOffset, int plaintextLength,
                    byte[] associatedData, byte[] out, int outOffset) {
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, ALGORITHM), new IvParameterSpec(nonce));
            cipher.updateAAD(associatedData);
            return cipher.doFinal(plaintext, plaintextOffset, plaintextLength, out, outOffset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's " + ALGORITHM + " refused a well-formed encryption", e);
        }
    }

    /**
     * Decrypts ciphertext‖tag into out; false (and out untouched) when the tag does not verify.
     * Decrypts into a scratch array first so a failed open never writes partial plaintext.
     */
    static boolean open(byte[] key, byte[] nonce, byte[] sealed, int sealedOffset, int sealedLength,
                        byte[] associatedData, byte[] out, int outOffset) {
        if (sealedLength < WireGuardSpec.TAG_BYTES) {
            return false;
        }
        try {
            Cipher cipher = Cipher.getInstance(ALGORITHM);
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, ALGORITHM), new IvParameterSpec(nonce));
            cipher.updateAAD(associatedData);
            byte[] plain = cipher.doFinal(sealed, sealedOffset, sealedLength);
            System.arraycopy(plain, 0, out, outOffset, plain.length);
            Arrays.fill(plain, (byte) 0);
            return true;
        } catch (AEADBadTagException e) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's " + ALGORITHM + " refused a well-formed decryption", e);
        }
    }
}
