package dev.braid.instance.protocol;

/**
 * WireGuard's HKDF (the paper's KDF_n): τ0 = HMAC(key, input), τ1 = HMAC(τ0, 0x01),
 * τi = HMAC(τ0, τi−1 ‖ i). KDF1/2/3 return the first 1/2/3 of τ1, τ2, τ3.
 */
public final class Kdf {
    private Kdf() {
    }

    public static byte[] kdf1(byte[] key, byte[] input) {
        return derive(key, input, 1)[0];
    }

    public static byte[][] kdf2(byte[] key, byte[] input) {
        return derive(key, input, 2);
    }

    public static byte[][] kdf3(byte[] key, byte[] input) {
        return derive(key, input, 3);
    }

    private static byte[][] derive(byte[] key, byte[] input, int outputs) {
        byte[] tau0 = Blake2s.hmac(key, input);
        byte[][] out = new byte[outputs][];
        byte[] previous = new byte[0];
        for (int i = 0; i < outputs; i++) {
            previous = Blake2s.hmac(tau0, previous, new byte[] {(byte) (i + 1)});
            out[i] = previous;
        }
        java.util.Arrays.fill(tau0, (byte) 0);
        return out;
    }
}
