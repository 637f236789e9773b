package dev.braid.instance.protocol;

import java.util.random.RandomGenerator;

import org.bouncycastle.math.ec.rfc7748.X25519;

/** Curve25519 Diffie-Hellman for the handshake (Bouncy Castle's raw X25519). */
final class X25519Keys {
    private X25519Keys() {
    }

    /** A fresh clamped private key from the injected generator (a SecureRandom in production). */
    static byte[] newPrivateKey(RandomGenerator random) {
        byte[] key = new byte[WireGuardSpec.KEY_BYTES];
        random.nextBytes(key);
        WireGuardKeys.clamp(key);
        return key;
    }

    /**
     * DH(privateKey, publicKey), or null when the result is all zero — the other side sent a
     * low-order point, and WireGuard (wireguard-go's sharedSecret) refuses to continue with it.
     */
    static byte[] sharedSecret(byte[] privateKey, byte[] publicKey, int publicKeyOffset) {
        byte[] shared = new byte[WireGuardSpec.KEY_BYTES];
        X25519.scalarMult(privateKey, 0, publicKey, publicKeyOffset, shared, 0);
        return ByteOrderAccess.isAllZero(shared) ? null : shared;
    }
}
