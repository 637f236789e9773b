package dev.braid.instance.protocol;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.function.IntPredicate;
import java.util.random.RandomGenerator;

/**
 * The Noise_IKpsk2 handshake with the one peer of a worker (WireGuard paper §5.4; wireguard-go's
 * noise-protocol.go). One object per peer holds the single handshake in progress, in either role:
 * <pre>
 *  initiator: createInitiation ─► (peer) ─► consumeResponse ─► deriveKeypair   (initiator keypair)
 *  responder: consumeInitiation ─► createResponse ─► (peer)  ─► deriveKeypair  (responder keypair)
 * </pre>
 * Consuming an initiation replaces an initiation of ours still awaiting its response, as in
 * wireguard-go. mac1/mac2 are not this class's business: the caller checks them with
 * {@link CookieChecker} before consuming and adds them with {@link CookieGenerator} after creating.
 * Randomness (ephemeral keys, sender indices) and the wall clock (TAI64N) are injected so tests
 * are deterministic; monotonic time arrives as {@code nowNanos} arguments.
 */
public final class NoiseHandshake {
    private enum State { ZEROED, INITIATION_CREATED, INITIATION_CONSUMED, RESPONSE_CREATED, RESPONSE_CONSUMED }

    private static final byte[] INITIAL_CHAIN_KEY = Blake2s.hash(ascii(WireGuardSpec.CONSTRUCTION));
    private static final byte[] INITIAL_HASH = Blake2s.hash(INITIAL_CHAIN_KEY, ascii(WireGuardSpec.IDENTIFIER));
    private static final byte[] EMPTY = new byte[0];
    private static final byte[] ZERO_NONCE = ChaChaPoly.nonce(0);
    private static final int INDEX_ATTEMPTS = 1000;

    private final byte[] localStaticPrivate;
    private final byte[] localStaticPublic;
    private final byte[] remoteStaticPublic;
    private final byte[] presharedKey;
    /** DH(local static, remote static): fixed for the peer's lifetime, so computed once. */
    private final byte[] staticStaticSecret;
    /** HASH(initial hash ‖ responder's static public key) for each role. */
    private final byte[] initiatorStartHash;
    private final byte[] responderStartHash;
    private final RandomGenerator random;
    private final InstantSource wallClock;
    private final IntPredicate localIndexInUse;

    private State state = State.ZEROED;
    private byte[] hash;
    private byte[] chainKey;
    private byte[] localEphemeralPrivate;
    private final byte[] remoteEphemeral = new byte[WireGuardSpec.KEY_BYTES];
    private boolean hasLocalIndex;
    private int localIndex;
    private int remoteIndex;
    private final byte[] greatestTimestamp = new byte[Tai64n.BYTES];
    private boolean hasConsumedInitiation;
    private long lastInitiationConsumedNanos;

    /**
     * @param presharedKey    32 bytes, or null for none (then all zero, as WireGuard specifies)
     * @param random          ephemeral private keys (nextBytes) and sender indices (nextInt); a SecureRandom in production
     * @param wallClock       the TAI64N timestamp source for initiations
     * @param localIndexInUse true for indices our keypairs still hold, so a new one never collides
     * @throws IllegalArgumentException if a key has the wrong size or the peer's public key is a low-order point
     */
    public NoiseHandshake(byte[] localStaticPrivate, byte[] remoteStaticPublic, byte[] presharedKey,
                          RandomGenerator random, InstantSource wallClock, IntPredicate localIndexInUse) {
        requireKey("local private key", localStaticPrivate);
        requireKey("peer public key", remoteStaticPublic);
        if (presharedKey != null) {
            requireKey("preshared key", presharedKey);
        }
        this.localStaticPrivate = localStaticPrivate.clone();
        this.localStaticPublic = WireGuardKeys.publicFromPrivate(localStaticPrivate);
        this.remoteStaticPublic = remoteStaticPublic.clone();
        this.presharedKey = presharedKey == null ? new byte[WireGuardSpec.KEY_BYTES] : presharedKey.clone();
        this.staticStaticSecret = X25519Keys.sharedSecret(this.localStaticPrivate, this.remoteStaticPublic, 0);
        if (staticStaticSecret == null) {
            throw new IllegalArgumentException("the peer public key " + WireGuardKeys.toBase64(remoteStaticPublic)
                    + " is a low-order point; no handshake with it can be secure");
        }
        this.initiatorStartHash = Blake2s.hash(INITIAL_HASH, this.remoteStaticPublic);
        this.responderStartHash = Blake2s.hash(INITIAL_HASH, this.localStaticPublic);
        this.random = random;
        this.wallClock = wallClock;
        this.localIndexInUse = localIndexInUse;
    }

    /**
     * Writes a handshake initiation (148 bytes, mac1/mac2 zero) at out[offset] and returns its length.
     * Any handshake in progress is abandoned.
     */
    public int createInitiation(byte[] out, int offset) {
        requireRoom(out, offset, HandshakeInitiation.LENGTH);
        Arrays.fill(out, offset, offset + HandshakeInitiation.LENGTH, (byte) 0);
        byte[] c = INITIAL_CHAIN_KEY;
        byte[] h = initiatorStartHash;

        byte[] ephemeralPrivate = X25519Keys.newPrivateKey(random);
        byte[] ephemeralPublic = WireGuardKeys.publicFromPrivate(ephemeralPrivate);
        System.arraycopy(ephemeralPublic, 0, out, offset + HandshakeInitiation.EPHEMERAL, WireGuardSpec.KEY_BYTES);
        c = Kdf.kdf1(c, ephemeralPublic);
        h = Blake2s.hash(h, ephemeralPublic);

        byte[] ephemeralStatic = X25519Keys.sharedSecret(ephemeralPrivate, remoteStaticPublic, 0);
        if (ephemeralStatic == null) {
            throw new IllegalStateException("DH with the validated peer key gave zero; the X25519 implementation is broken");
        }
        byte[][] ck = Kdf.kdf2(c, ephemeralStatic);
        c = ck[0];
        ChaChaPoly.seal(ck[1], ZERO_NONCE, localStaticPublic, 0, WireGuardSpec.KEY_BYTES, h,
                out, offset + HandshakeInitiation.STATIC);
        h = Blake2s.hash(h, slice(out, offset + HandshakeInitiation.STATIC, HandshakeInitiation.STATIC_SEALED_BYTES));

        ck = Kdf.kdf2(c, staticStaticSecret);
        c = ck[0];
        Instant now = wallClock.instant();
        byte[] timestamp = new byte[Tai64n.BYTES];
        Tai64n.write(now.getEpochSecond(), now.getNano(), timestamp, 0);
        ChaChaPoly.seal(ck[1], ZERO_NONCE, timestamp, 0, Tai64n.BYTES, h, out, offset + HandshakeInitiation.TIMESTAMP);
        h = Blake2s.hash(h, slice(out, offset + HandshakeInitiation.TIMESTAMP, HandshakeInitiation.TIMESTAMP_SEALED_BYTES));

        int sender = newLocalIndex();
        new HandshakeInitiation().wrap(out, offset).writeTypeAndSender(sender);

        wipe(localEphemeralPrivate);
        localEphemeralPrivate = ephemeralPrivate;
        hash = h;
        chainKey = c;
        localIndex = sender;
        hasLocalIndex = true;
        state = State.INITIATION_CREATED;
        return HandshakeInitiation.LENGTH;
    }

    /**
     * Responder: authenticates an initiation from our peer. Null when accepted (then call
     * {@link #createResponse}); otherwise why it was dropped, with this handshake unchanged.
     * Rejects a static key other than the peer's, a timestamp not newer than the newest accepted
     * (a replay) and an initiation within HANDSHAKE_INITIATION_RATE of the last accepted one.
     */
    public DropReason consumeInitiation(byte[] in, int offset, int length, long nowNanos) {
        DropReason malformed = HandshakeInitiation.check(in, offset, length);
        if (malformed != null) {
            return malformed;
        }
        byte[] c = INITIAL_CHAIN_KEY;
        byte[] h = responderStartHash;
        byte[] ephemeral = slice(in, offset + HandshakeInitiation.EPHEMERAL, WireGuardSpec.KEY_BYTES);
        c = Kdf.kdf1(c, ephemeral);
        h = Blake2s.hash(h, ephemeral);

        byte[] staticEphemeral = X25519Keys.sharedSecret(localStaticPrivate, ephemeral, 0);
        if (staticEphemeral == null) {
            return DropReason.BAD_PUBLIC_KEY;
        }
        byte[][] ck = Kdf.kdf2(c, staticEphemeral);
        c = ck[0];
        byte[] peerStatic = new byte[WireGuardSpec.KEY_BYTES];
        if (!ChaChaPoly.open(ck[1], ZERO_NONCE, in, offset + HandshakeInitiation.STATIC,
                HandshakeInitiation.STATIC_SEALED_BYTES, h, peerStatic, 0)) {
            return DropReason.DECRYPT_FAILED;
        }
        h = Blake2s.hash(h, slice(in, offset + HandshakeInitiation.STATIC, HandshakeInitiation.STATIC_SEALED_BYTES));
        if (!ByteOrderAccess.constantTimeEquals(peerStatic, 0, remoteStaticPublic, 0, WireGuardSpec.KEY_BYTES)) {
            return DropReason.UNKNOWN_PEER;
        }

        ck = Kdf.kdf2(c, staticStaticSecret);
        c = ck[0];
        byte[] timestamp = new byte[Tai64n.BYTES];
        if (!ChaChaPoly.open(ck[1], ZERO_NONCE, in, offset + HandshakeInitiation.TIMESTAMP,
                HandshakeInitiation.TIMESTAMP_SEALED_BYTES, h, timestamp, 0)) {
            return DropReason.DECRYPT_FAILED;
        }
        h = Blake2s.hash(h, slice(in, offset + HandshakeInitiation.TIMESTAMP, HandshakeInitiation.TIMESTAMP_SEALED_BYTES));

        if (!Tai64n.isAfter(timestamp, greatestTimestamp)) {
            return DropReason.STALE_TIMESTAMP;
        }
        if (hasConsumedInitiation && nowNanos - lastInitiationConsumedNanos <= WireGuardSpec.HANDSHAKE_INITIATION_RATE_NANOS) {
            return DropReason.RATE_LIMITED;
        }

        System.arraycopy(timestamp, 0, greatestTimestamp, 0, Tai64n.BYTES);
        lastInitiationConsumedNanos = nowNanos;
        hasConsumedInitiation = true;
        hash = h;
        chainKey = c;
        System.arraycopy(ephemeral, 0, remoteEphemeral, 0, WireGuardSpec.KEY_BYTES);
        remoteIndex = new HandshakeInitiation().wrap(in, offset).senderIndex();
        wipe(localEphemeralPrivate);
        localEphemeralPrivate = null;
        state = State.INITIATION_CONSUMED;
        return null;
    }

    /** Responder: writes the response (92 bytes, mac1/mac2 zero) to the initiation just consumed. */
    public int createResponse(byte[] out, int offset) {
        if (state != State.INITIATION_CONSUMED) {
            throw new IllegalStateException("createResponse needs a consumed initiation; the handshake is " + state);
        }
        requireRoom(out, offset, HandshakeResponse.LENGTH);
        Arrays.fill(out, offset, offset + HandshakeResponse.LENGTH, (byte) 0);
        byte[] c = chainKey;
        byte[] h = hash;

        byte[] ephemeralPrivate = X25519Keys.newPrivateKey(random);
        byte[] ephemeralPublic = WireGuardKeys.publicFromPrivate(ephemeralPrivate);
        System.arraycopy(ephemeralPublic, 0, out, offset + HandshakeResponse.EPHEMERAL, WireGuardSpec.KEY_BYTES);
        c = Kdf.kdf1(c, ephemeralPublic);
        h = Blake2s.hash(h, ephemeralPublic);
        byte[] ephemeralEphemeral = X25519Keys.sharedSecret(ephemeralPrivate, remoteEphemeral, 0);
        byte[] ephemeralStatic = X25519Keys.sharedSecret(ephemeralPrivate, remoteStaticPublic, 0);
        if (ephemeralEphemeral == null || ephemeralStatic == null) {
            // Unreachable: consumeInitiation refused a low-order ephemeral and the peer key was checked.
            throw new IllegalStateException("DH with checked public keys gave zero; the X25519 implementation is broken");
        }
        c = Kdf.kdf1(c, ephemeralEphemeral);
        c = Kdf.kdf1(c, ephemeralStatic);
        byte[][] ctk = Kdf.kdf3(c, presharedKey);
        c = ctk[0];
        h = Blake2s.hash(h, ctk[1]);
        ChaChaPoly.seal(ctk[2], ZERO_NONCE, EMPTY, 0, 0, h, out, offset + HandshakeResponse.EMPTY);
        h = Blake2s.hash(h, slice(out, offset + HandshakeResponse.EMPTY, WireGuardSpec.TAG_BYTES));

        int sender = newLocalIndex();
        new HandshakeResponse().wrap(out, offset).writeHeader(sender, remoteIndex);
        wipe(ephemeralPrivate);
        hash = h;
        chainKey = c;
        localIndex = sender;
        hasLocalIndex = true;
        state = State.RESPONSE_CREATED;
        return HandshakeResponse.LENGTH;
    }

    /**
     * Initiator: authenticates the response to our outstanding initiation. Null when accepted (then
     * call {@link #deriveKeypair}); otherwise why it was dropped, with this handshake unchanged.
     */
    public DropReason consumeResponse(byte[] in, int offset, int length) {
        DropReason malformed = HandshakeResponse.check(in, offset, length);
        if (malformed != null) {
            return malformed;
        }
        HandshakeResponse response = new HandshakeResponse().wrap(in, offset);
        if (state != State.INITIATION_CREATED || response.receiverIndex() != localIndex) {
            return DropReason.UNKNOWN_RECEIVER_INDEX;
        }
        byte[] c = chainKey;
        byte[] h = hash;
        byte[] ephemeral = slice(in, offset + HandshakeResponse.EPHEMERAL, WireGuardSpec.KEY_BYTES);
        c = Kdf.kdf1(c, ephemeral);
        h = Blake2s.hash(h, ephemeral);
        byte[] ephemeralEphemeral = X25519Keys.sharedSecret(localEphemeralPrivate, ephemeral, 0);
        byte[] staticEphemeral = X25519Keys.sharedSecret(localStaticPrivate, ephemeral, 0);
        if (ephemeralEphemeral == null || staticEphemeral == null) {
            return DropReason.BAD_PUBLIC_KEY;
        }
        c = Kdf.kdf1(c, ephemeralEphemeral);
        c = Kdf.kdf1(c, staticEphemeral);
        byte[][] ctk = Kdf.kdf3(c, presharedKey);
        c = ctk[0];
        h = Blake2s.hash(h, ctk[1]);
        if (!ChaChaPoly.open(ctk[2], ZERO_NONCE, in, offset + HandshakeResponse.EMPTY, WireGuardSpec.TAG_BYTES,
                h, EMPTY, 0)) {
            return DropReason.DECRYPT_FAILED;
        }
        h = Blake2s.hash(h, slice(in, offset + HandshakeResponse.EMPTY, WireGuardSpec.TAG_BYTES));

        hash = h;
        chainKey = c;
        remoteIndex = response.senderIndex();
        state = State.RESPONSE_CONSUMED;
        return null;
    }

    /**
     * Derives the transport keypair after {@link #consumeResponse} (initiator) or
     * {@link #createResponse} (responder) and zeroes the handshake. The keypair takes over this
     * handshake's local index; the caller installs it in its {@link KeypairSet}.
     */
    public Keypair deriveKeypair(long nowNanos) {
        boolean initiator;
        if (state == State.RESPONSE_CONSUMED) {
            initiator = true;
        } else if (state == State.RESPONSE_CREATED) {
            initiator = false;
        } else {
            throw new IllegalStateException("no completed handshake to derive a keypair from; the handshake is " + state);
        }
        byte[][] keys = Kdf.kdf2(chainKey, EMPTY);
        byte[] sendKey = initiator ? keys[0] : keys[1];
        byte[] receiveKey = initiator ? keys[1] : keys[0];
        Keypair keypair = new Keypair(sendKey, receiveKey, localIndex, remoteIndex, initiator, nowNanos);
        wipe(keys[0]);
        wipe(keys[1]);
        clear();
        return keypair;
    }

    /**
     * Forgets the handshake in progress (ephemeral key, chaining key, index). Keeps the newest
     * timestamp and the rate-limit time: they guard against replays across handshakes.
     */
    public void clear() {
        wipe(localEphemeralPrivate);
        localEphemeralPrivate = null;
        wipe(chainKey);
        chainKey = null;
        hash = null;
        Arrays.fill(remoteEphemeral, (byte) 0);
        hasLocalIndex = false;
        localIndex = 0;
        state = State.ZEROED;
    }

    /** True while an initiation or response of ours is outstanding, i.e. {@link #localIndex()} means something. */
    public boolean hasLocalIndex() {
        return hasLocalIndex;
    }

    /** The sender index of our outstanding initiation or response; cookie replies and responses are addressed to it. */
    public int localIndex() {
        return localIndex;
    }

    /** True after createInitiation until the response is consumed or the handshake replaced. */
    public boolean isAwaitingResponse() {
        return state == State.INITIATION_CREATED;
    }

    public byte[] localStaticPublic() {
        return localStaticPublic.clone();
    }

    public byte[] remoteStaticPublic() {
        return remoteStaticPublic.clone();
    }

    private int newLocalIndex() {
        for (int attempt = 0; attempt < INDEX_ATTEMPTS; attempt++) {
            int candidate = random.nextInt();
            if (!localIndexInUse.test(candidate) && !(hasLocalIndex && candidate == localIndex)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no free sender index after " + INDEX_ATTEMPTS + " random draws; is the random source constant?");
    }

    private static byte[] slice(byte[] buf, int offset, int length) {
        return Arrays.copyOfRange(buf, offset, offset + length);
    }

    private static void requireRoom(byte[] out, int offset, int length) {
        if (offset < 0 || out.length - offset < length) {
            throw new IllegalArgumentException("need " + length + " bytes at offset " + offset + " of a " + out.length + "-byte buffer");
        }
    }

    private static void requireKey(String what, byte[] key) {
        if (key == null || key.length != WireGuardSpec.KEY_BYTES) {
            throw new IllegalArgumentException("the " + what + " must be 32 bytes, got "
                    + (key == null ? "none" : key.length + " bytes"));
        }
    }

    private static void wipe(byte[] secret) {
        if (secret != null) {
            Arrays.fill(secret, (byte) 0);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
