package dev.braid.instance.protocol;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03), which WireGuard uses only to encrypt cookies
 * under a random 24-byte nonce: HChaCha20 turns the key and the first 16 nonce bytes into a
 * subkey, then ordinary ChaCha20-Poly1305 (the JDK's) runs with that subkey and the nonce
 * 4 zero bytes ‖ the last 8 nonce bytes. Bouncy Castle 1.87 has an XChaCha20Poly1305 too; this one
 * keeps every AEAD in the process on the JDK cipher, and the tests check the two agree.
 */
public final class XChaChaPoly {
    public static final int NONCE_BYTES = 24;

    private XChaChaPoly() {
    }

    public static int seal(byte[] key, byte[] nonce24, byte[] plaintext, int plaintextOffset, int plaintextLength,
                           byte[] associatedData, byte[] out, int outOffset) {
        byte[] subkey = HChaCha20.derive(key, nonce24);
        try {
            return ChaChaPoly.seal(subkey, innerNonce(nonce24), plaintext, plaintextOffset, plaintextLength,
                    associatedData, out, outOffset);
        } finally {
            java.util.Arrays.fill(subkey, (byte) 0);
        }
    }

    public static boolean open(byte[] key, byte[] nonce24, byte[] sealed, int sealedOffset, int sealedLength,
                               byte[] associatedData, byte[] out, int outOffset) {
        byte[] subkey = HChaCha20.derive(key, nonce24);
        try {
            return ChaChaPoly.open(subkey, innerNonce(nonce24), sealed, sealedOffset, sealedLength,
                    associatedData, out, outOffset);
        } finally {
            java.util.Arrays.fill(subkey, (byte) 0);
        }
    }

    private static byte[] innerNonce(byte[] nonce24) {
        if (nonce24.length != NONCE_BYTES) {
            throw new IllegalArgumentException("an XChaCha20 nonce is 24 bytes, got " + nonce24.length);
        }
        byte[] nonce = new byte[ChaChaPoly.NONCE_BYTES];
        System.arraycopy(nonce24, 16, nonce, 4, 8);
        return nonce;
    }
}
