package dev.braid.instance.protocol;

import java.util.Arrays;

/**
 * The sending side of WireGuard's cookies (wireguard-go cookie.go): {@link #addMacs} writes mac1
 * (keyed by the peer's public key) into every handshake message we send, and mac2 when we hold a
 * cookie from the peer younger than COOKIE_REFRESH_TIME (else mac2 is zero); {@link #consumeReply}
 * accepts a cookie reply only if it decrypts with our last sent mac1 as associated data — proof it
 * answers a message we really sent. Like the kernel (stricter than wireguard-go), one reply per
 * sent mac1 is accepted. Not thread-safe: owned by the worker thread.
 */
public final class CookieGenerator {
    private final byte[] mac1Key;
    private final byte[] cookieKey;
    private final byte[] cookie = new byte[WireGuardSpec.COOKIE_BYTES];
    private boolean hasCookie;
    private long cookieSetNanos;
    private final byte[] lastMac1 = new byte[WireGuardSpec.MAC_BYTES];
    private boolean hasLastMac1;

    public CookieGenerator(byte[] remoteStaticPublic) {
        this.mac1Key = Blake2s.hashLabel(WireGuardSpec.LABEL_MAC1, remoteStaticPublic);
        this.cookieKey = Blake2s.hashLabel(WireGuardSpec.LABEL_COOKIE, remoteStaticPublic);
    }

    /** Fills mac1 and mac2 (the last 32 bytes) of the handshake message buf[offset, +length) we are about to send. */
    public void addMacs(byte[] buf, int offset, int length, long nowNanos) {
        if (length < 2 * WireGuardSpec.MAC_BYTES) {
            throw new IllegalArgumentException("a " + length + "-byte message has no room for mac1 and mac2");
        }
        int mac1Offset = offset + length - 2 * WireGuardSpec.MAC_BYTES;
        int mac2Offset = mac1Offset + WireGuardSpec.MAC_BYTES;
        Blake2s.mac(mac1Key, buf, offset, mac1Offset - offset, buf, mac1Offset);
        System.arraycopy(buf, mac1Offset, lastMac1, 0, WireGuardSpec.MAC_BYTES);
        hasLastMac1 = true;
        if (hasFreshCookie(nowNanos)) {
            Blake2s.mac(cookie, buf, offset, mac2Offset - offset, buf, mac2Offset);
        } else {
            Arrays.fill(buf, mac2Offset, mac2Offset + WireGuardSpec.MAC_BYTES, (byte) 0);
        }
    }

    /**
     * Takes the cookie from a reply the caller has matched to us by its receiver index. Null when
     * accepted (the next {@link #addMacs} writes mac2), else why it was dropped.
     */
    public DropReason consumeReply(byte[] buf, int offset, int length, long nowNanos) {
        DropReason malformed = CookieReply.check(buf, offset, length);
        if (malformed != null) {
            return malformed;
        }
        if (!hasLastMac1) {
            return DropReason.BAD_COOKIE_REPLY;
        }
        byte[] nonce = Arrays.copyOfRange(buf, offset + CookieReply.NONCE, offset + CookieReply.NONCE + WireGuardSpec.COOKIE_NONCE_BYTES);
        byte[] opened = new byte[WireGuardSpec.COOKIE_BYTES];
        if (!XChaChaPoly.open(cookieKey, nonce, buf, offset + CookieReply.COOKIE, CookieReply.COOKIE_SEALED_BYTES,
                lastMac1, opened, 0)) {
            return DropReason.BAD_COOKIE_REPLY;
        }
        System.arraycopy(opened, 0, cookie, 0, WireGuardSpec.COOKIE_BYTES);
        hasCookie = true;
        cookieSetNanos = nowNanos;
        hasLastMac1 = false;
        return null;
    }

    /** Whether addMacs would write a mac2 now. */
    public boolean hasFreshCookie(long nowNanos) {
        return hasCookie && nowNanos - cookieSetNanos < WireGuardSpec.COOKIE_REFRESH_TIME_NANOS;
    }
}
