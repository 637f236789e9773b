package dev.braid.instance.protocol;

import java.nio.charset.StandardCharsets;

import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * WireGuard's three uses of BLAKE2s (Bouncy Castle's digest): HASH (unkeyed, 32 bytes), MAC
 * (keyed BLAKE2s with a 16-byte output, for mac1, mac2 and cookies — not HMAC) and HMAC-BLAKE2s
 * (RFC 2104 over BLAKE2s's 64-byte block, used only inside the KDF). These run per handshake
 * message, not per data packet, so clarity wins over reusing digest objects.
 */
public final class Blake2s {
    private Blake2s() {
    }

    /** HASH(a ‖ b ‖ ...). */
    public static byte[] hash(byte[]... parts) {
        Blake2sDigest digest = new Blake2sDigest(256);
        for (byte[] part : parts) {
            digest.update(part, 0, part.length);
        }
        byte[] out = new byte[WireGuardSpec.HASH_BYTES];
        digest.doFinal(out, 0);
        return out;
    }

    /** HASH(label ‖ key): the mac1 and cookie-encryption keys of a public key. */
    static byte[] hashLabel(String label, byte[] publicKey) {
        return hash(label.getBytes(StandardCharsets.US_ASCII), publicKey);
    }

    /** MAC(key, data[offset, offset+length)) written to out[outOffset, outOffset+16). */
    public static void mac(byte[] key, byte[] data, int offset, int length, byte[] out, int outOffset) {
        Blake2sDigest digest = new Blake2sDigest(key, WireGuardSpec.MAC_BYTES, null, null);
        digest.update(data, offset, length);
        digest.doFinal(out, outOffset);
    }

    public static byte[] mac(byte[] key, byte[] data) {
        byte[] out = new byte[WireGuardSpec.MAC_BYTES];
        mac(key, data, 0, data.length, out, 0);
        return out;
    }

    /** HMAC-BLAKE2s(key, a ‖ b ‖ ...), 32 bytes. */
    public static byte[] hmac(byte[] key, byte[]... parts) {
        HMac hmac = new HMac(new Blake2sDigest(256));
        hmac.init(new KeyParameter(key));
        for (byte[] part : parts) {
            hmac.update(part, 0, part.length);
        }
        byte[] out = new byte[WireGuardSpec.HASH_BYTES];
        hmac.doFinal(out, 0);
        return out;
    }
}
