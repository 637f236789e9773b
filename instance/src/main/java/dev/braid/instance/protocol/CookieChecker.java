package dev.braid.instance.protocol;

import java.util.random.RandomGenerator;

/**
 * The receiving side of WireGuard's DoS defence (paper §5.3, §5.4.7; wireguard-go cookie.go) for
 * handshake messages addressed to us:
 * <ol>
 * <li>{@link #checkMac1}: every initiation and response must carry mac1 = MAC(HASH("mac1----" ‖ our
 *     public key), message up to mac1) — cheap proof the sender knows our public key;</li>
 * <li>when the worker says it is under load, {@link #checkMac2} must also pass: mac2 = MAC(cookie,
 *     message up to mac2) with cookie = MAC(secret, source address ‖ source port); if it fails the
 *     worker answers with {@link #createReply} instead of doing the expensive handshake.</li>
 * </ol>
 * The secret is random and replaced when older than COOKIE_REFRESH_TIME (lazily, on the next
 * reply), so a cookie is good for at most two minutes. The source is encoded as the address bytes
 * (4 or 16) then the port little-endian, like wireguard-go's portable endpoint; the encoding never
 * leaves this class, so it need not match the peer's. Not thread-safe: owned by the worker thread.
 */
public final class CookieChecker {
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final byte[] secret = new byte[WireGuardSpec.HASH_BYTES];
    private final RandomGenerator random;
    private boolean hasSecret;
    private long secretSetNanos;

    /** @param random cookie secrets and reply nonces; a SecureRandom in production */
    public CookieChecker(byte[] localStaticPublic, RandomGenerator random) {
        this.mac1Key = Blake2s.hashLabel(WireGuardSpec.LABEL_MAC1, localStaticPublic);
        this.cookieKey = Blake2s.hashLabel(WireGuardSpec.LABEL_COOKIE, localStaticPublic);
        this.random = random;
    }

    /** True if the handshake message buf[offset, +length) carries a valid mac1 for our public key. */
    public boolean checkMac1(byte[] buf, int offset, int length) {
        if (length < 2 * WireGuardSpec.MAC_BYTES) {
            return false;
        }
        int mac1Offset = offset + length - 2 * WireGuardSpec.MAC_BYTES;
        byte[] expected = new byte[WireGuardSpec.MAC_BYTES];
        Blake2s.mac(mac1Key, buf, offset, mac1Offset - offset, expected, 0);
        return ByteOrderAccess.constantTimeEquals(expected, 0, buf, mac1Offset, WireGuardSpec.MAC_BYTES);
    }

    /**
     * True if the message carries a valid mac2 for a cookie we would give its source now. False
     * when no secret younger than COOKIE_REFRESH_TIME exists (no cookie of ours is valid then).
     */
    public boolean checkMac2(byte[] buf, int offset, int length, byte[] sourceAddress, int sourcePort, long nowNanos) {
        if (length < 2 * WireGuardSpec.MAC_BYTES || !secretIsFresh(nowNanos)) {
            return false;
        }
        byte[] cookie = cookieFor(sourceAddress, sourcePort);
        int mac2Offset = offset + length - WireGuardSpec.MAC_BYTES;
        byte[] expected = new byte[WireGuardSpec.MAC_BYTES];
        Blake2s.mac(cookie, buf, offset, mac2Offset - offset, expected, 0);
        return ByteOrderAccess.constantTimeEquals(expected, 0, buf, mac2Offset, WireGuardSpec.MAC_BYTES);
    }

    /**
     * Writes a cookie reply (64 bytes) at out[outOffset] answering the handshake message
     * buf[offset, +length) from the given source: the cookie, encrypted with XChaCha20-Poly1305 under
     * HASH("cookie--" ‖ our public key), a random nonce and the message's mac1 as associated data,
     * addressed to the message's sender index. Returns the reply length.
     */
    public int createReply(byte[] buf, int offset, int length, byte[] sourceAddress, int sourcePort,
                           long nowNanos, byte[] out, int outOffset) {
        if (length < 8 + 2 * WireGuardSpec.MAC_BYTES) {
            throw new IllegalArgumentException("a " + length + "-byte message is no handshake message to answer");
        }
        if (out.length - outOffset < CookieReply.LENGTH || outOffset < 0) {
            throw new IllegalArgumentException("a cookie reply needs 64 bytes at offset " + outOffset + " of a " + out.length + "-byte buffer");
        }
        if (!secretIsFresh(nowNanos)) {
            random.nextBytes(secret);
            secretSetNanos = nowNanos;
            hasSecret = true;
        }
        byte[] cookie = cookieFor(sourceAddress, sourcePort);
        // Both handshake messages carry their sender index at offset 4.
        int senderIndex = ByteOrderAccess.getIntLE(buf, offset + 4);
        byte[] nonce = new byte[WireGuardSpec.COOKIE_NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] mac1 = java.util.Arrays.copyOfRange(buf, offset + length - 2 * WireGuardSpec.MAC_BYTES,
                offset + length - WireGuardSpec.MAC_BYTES);

        new CookieReply().wrap(out, outOffset).writeHeader(senderIndex);
        System.arraycopy(nonce, 0, out, outOffset + CookieReply.NONCE, WireGuardSpec.COOKIE_NONCE_BYTES);
        XChaChaPoly.seal(cookieKey, nonce, cookie, 0, cookie.length, mac1, out, outOffset + CookieReply.COOKIE);
        return CookieReply.LENGTH;
    }

    private boolean secretIsFresh(long nowNanos) {
        return hasSecret && nowNanos - secretSetNanos <= WireGuardSpec.COOKIE_REFRESH_TIME_NANOS;
    }

    private byte[] cookieFor(byte[] sourceAddress, int sourcePort) {
        if (sourceAddress.length != 4 && sourceAddress.length != 16) {
            throw new IllegalArgumentException("a source address is 4 or 16 bytes, got " + sourceAddress.length);
        }
        byte[] source = new byte[sourceAddress.length + 2];
        System.arraycopy(sourceAddress, 0, source, 0, sourceAddress.length);
        source[sourceAddress.length] = (byte) sourcePort;
        source[sourceAddress.length + 1] = (byte) (sourcePort >>> 8);
        return Blake2s.mac(secret, source);
    }
}
