package dev.braid.gateway.config;

import java.util.Arrays;

import dev.braid.instance.protocol.WireGuardKeys;

/**
 * A Curve25519 public key in wg's base64 text. Ordered by unsigned bytewise comparison of the 32
 * bytes: both sites use that order to agree, without talking, which of them takes the first host
 * address of each worker link.
 */
public record WireGuardPublicKey(String base64) implements Comparable<WireGuardPublicKey> {
    /** @throws WireGuardKeys.InvalidKeyText (an IllegalArgumentException) if the text is not a key */
    public WireGuardPublicKey {
        base64 = WireGuardKeys.toBase64(WireGuardKeys.fromBase64(base64));
    }

    public static WireGuardPublicKey of(byte[] key) {
        return new WireGuardPublicKey(WireGuardKeys.toBase64(key));
    }

    /** A fresh copy of the 32 bytes. */
    public byte[] bytes() {
        return WireGuardKeys.fromBase64(base64);
    }

    @Override
    public int compareTo(WireGuardPublicKey other) {
        return Arrays.compareUnsigned(bytes(), other.bytes());
    }

    @Override
    public String toString() {
        return base64;
    }
}
