package dev.braid.instance.protocol;

/**
 * HChaCha20 (draft-irtf-cfrg-xchacha-03 §2.2): the ChaCha20 block function over the constants, a
 * 256-bit key and a 128-bit input, returning state words 0..3 and 12..15 after the 20 rounds,
 * without ChaCha20's final addition of the input state. Used only to derive XChaCha20 subkeys.
 */
public final class HChaCha20 {
    private static final int[] SIGMA = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574}; // "expand 32-byte k"

    private HChaCha20() {
    }

    /** The 32-byte subkey for key and the first 16 bytes of input. */
    public static byte[] derive(byte[] key, byte[] input) {
        if (key.length != 32 || input.length < 16) {
            throw new IllegalArgumentException("HChaCha20 takes a 32-byte key and 16 input bytes, got "
                    + key.length + " and " + input.length);
        }
        int[] x = new int[16];
        System.arraycopy(SIGMA, 0, x, 0, 4);
        for (int i = 0; i < 8; i++) {
            x[4 + i] = ByteOrderAccess.getIntLE(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = ByteOrderAccess.getIntLE(input, 4 * i);
        }
        for (int round = 0; round < 20; round += 2) {
            quarterRound(x, 0, 4, 8, 12);
            quarterRound(x, 1, 5, 9, 13);
            quarterRound(x, 2, 6, 10, 14);
            quarterRound(x, 3, 7, 11, 15);
            quarterRound(x, 0, 5, 10, 15);
            quarterRound(x, 1, 6, 11, 12);
            quarterRound(x, 2, 7, 8, 13);
            quarterRound(x, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            ByteOrderAccess.putIntLE(out, 4 * i, x[i]);
            ByteOrderAccess.putIntLE(out, 16 + 4 * i, x[12 + i]);
        }
        java.util.Arrays.fill(x, 0);
        return out;
    }

    private static void quarterRound(int[] x, int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }
}
