package dev.braid.instance.worker;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.braid.instance.counters.ControlCommand;
import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.protocol.CookieChecker;
import dev.braid.instance.protocol.CookieGenerator;
import dev.braid.instance.protocol.CookieReply;
import dev.braid.instance.protocol.DropReason;
import dev.braid.instance.protocol.Keypair;
import dev.braid.instance.protocol.KeypairSet;
import dev.braid.instance.protocol.Messages;
import dev.braid.instance.protocol.NoiseHandshake;
import dev.braid.instance.protocol.Timers;
import dev.braid.instance.protocol.TransportCipher;
import dev.braid.instance.protocol.TransportHeader;
import dev.braid.instance.protocol.WireGuardKeys;
import dev.braid.instance.protocol.WireGuardSpec;
import io.netty.buffer.ByteBuf;

/**
 * The worker's one peer: wireguard-go's send.go, receive.go and the timer actions, on one thread.
 * <pre>
 *  TUN packet ─► allowed destination? ─► current keypair? ─no─► stage it, start a handshake
 *                                              │yes
 *                                              └► seal in place (scratch) ─► UDP to the endpoint
 *  UDP datagram ─► type 4: keypair by receiver index ─► open in place ─► roam, timers ─► allowed
 *                  source? ─► TUN;  type 1/2: mac1 (mac2 under load, else cookie reply) ─► noise
 *                  ─► keypair;  type 3: cookie for our next handshake message
 * </pre>
 * All crypto runs on one preallocated scratch array; the TUN and UDP sides are ports (the real
 * ones on the loop, in-memory ones in tests) and time comes from an injected clock, so a test can
 * drive two sessions against each other through minutes of protocol time in milliseconds. Nothing
 * here allocates per packet (the Netty port allocates its envelope; the JDK cipher allocates
 * inside, see TransportCipher). Besides WireGuard's own timers, a
 * Braid liveness keepalive goes out whenever nothing was sent for the configured interval, so the
 * far side always hears from this path even when traffic flows only one way on it.
 */
public final class PeerSession {
    private static final Logger LOG = LoggerFactory.getLogger(PeerSession.class);

    /** wireguard-go's QueueStagedSize: packets held while a handshake is under way. */
    static final int STAGED_CAPACITY = 128;
    /** Handshake messages per second above which mac2 (a cookie round trip) is demanded. */
    static final int UNDER_LOAD_HANDSHAKES_PER_SECOND = 64;
    static final long UNDER_LOAD_HOLD_NANOS = 1_000_000_000L;
    static final int HEADROOM = TransportHeader.LENGTH;
    static final int MAX_DATAGRAM = 2048;
    /**
     * When both ends initiate at the same moment, each consumes the other's initiation, both end up
     * responders waiting for the other's first packet, and nothing moves until REKEY_TIMEOUT (5 s).
     * So only the end with the lower public key offers a handshake at once; the other waits this
     * long for it first. A local policy only: the wire sees ordinary WireGuard handshakes.
     */
    static final long HIGHER_KEY_OFFER_DELAY_NANOS = 1_500_000_000L;

    private final WorkerConfig config;
    private final CountersFile counters;
    private final AllowedIps allowedIps;
    private final NoiseHandshake handshake;
    private final CookieChecker cookieChecker;
    private final CookieGenerator cookieGenerator;
    private final KeypairSet keypairs = new KeypairSet();
    private final TransportCipher cipher = new TransportCipher();
    private final Timers timers;
    private final long livenessKeepaliveNanos;

    /** Crypto happens here, in place: [16 bytes headroom][payload up to MTU][padding][tag]. */
    private final byte[] scratch;
    private final byte[] handshakeOut = new byte[WireGuardSpec.INITIATION_BYTES];
    private final LongSupplier clock;
    private final byte[][] staged;
    private final int[] stagedLength;
    private int stagedHead;
    private int stagedCount;

    private UdpPort udp;
    private TunPort tun;
    private InetSocketAddress endpoint;
    private long lastSendNanos;
    private long handshakeWindowStartNanos;
    private int handshakesInWindow;
    private long underLoadUntilNanos;
    private boolean underLoad;
    private final long offerDelayNanos;
    private long noSessionSinceNanos;

    public PeerSession(WorkerConfig config, byte[] privateKey, byte[] peerPublicKey, byte[] presharedKey,
                       CountersFile counters) {
        this(config, privateKey, peerPublicKey, presharedKey, counters, System::nanoTime, InstantSource.system(),
                new SecureRandom());
    }

    /**
     * The timers' jitter only has to spread handshakes apart, and it is drawn on the data path: every
     * received packet cancels the new-handshake timer and the next data packet sent re-arms it with a
     * fresh jitter, so under two-way traffic that is once per send-after-receive. A SecureRandom
     * (NativePRNG) costs ~190 ns a draw here (a lock, SHA-1 mixing) and a 256-byte /dev/urandom read
     * when its buffer is over 100 ms old, which an idle ping meets at every hop. Keys, sender indices
     * and cookie secrets keep the SecureRandom; the jitter comes from a SplittableRandom seeded by it
     * (3 ns a draw). An injected non-secure generator (tests) is used as is, to stay deterministic.
     */
    private static RandomGenerator jitterSource(RandomGenerator random) {
        return random instanceof SecureRandom secure ? new SplittableRandom(secure.nextLong()) : random;
    }

    /** With the clocks and randomness given (tests drive time themselves). */
    public PeerSession(WorkerConfig config, byte[] privateKey, byte[] peerPublicKey, byte[] presharedKey,
                       CountersFile counters, LongSupplier monotonicNanos, InstantSource wallClock,
                       RandomGenerator random) {
        this.config = config;
        this.counters = counters;
        this.clock = monotonicNanos;
        this.allowedIps = new AllowedIps(config.allowedIps());
        this.handshake = new NoiseHandshake(privateKey, peerPublicKey, presharedKey, random, wallClock,
                keypairs::isLocalIndexInUse);
        this.cookieChecker = new CookieChecker(WireGuardKeys.publicFromPrivate(privateKey), random);
        this.cookieGenerator = new CookieGenerator(peerPublicKey);
        this.timers = new Timers(jitterSource(random), config.keepaliveIntervalNanos() >= 1_000_000_000L
                && config.keepaliveIntervalNanos() % 1_000_000_000L == 0 ? config.keepaliveIntervalNanos() : 0);
        this.livenessKeepaliveNanos = config.keepaliveIntervalNanos();
        int packetRoom = HEADROOM + config.mtuBytes() + WireGuardSpec.PADDING_MULTIPLE + WireGuardSpec.TAG_BYTES;
        this.scratch = new byte[Math.max(packetRoom, MAX_DATAGRAM)];
        this.offerDelayNanos = java.util.Arrays.compareUnsigned(WireGuardKeys.publicFromPrivate(privateKey), peerPublicKey) < 0
                ? 0 : HIGHER_KEY_OFFER_DELAY_NANOS;
        this.staged = new byte[STAGED_CAPACITY][config.mtuBytes()];
        this.stagedLength = new int[STAGED_CAPACITY];
        config.endpoint().ifPresent(this::setEndpoint);
    }

    private long batchNanos;
    private boolean inBatch;

    /** Called once on the loop thread when the socket is bound. */
    public void attach(UdpPort udp, TunPort tun) {
        this.udp = udp;
        this.tun = tun;
        long now = clock.getAsLong();
        noSessionSinceNanos = now;
        if (endpoint != null && offerDelayNanos == 0) {
            startHandshake(now, false);
        }
    }

    // ------------------------------------------------------------------ send side (TUN → UDP)

    /** Reads one packet from the TUN and sends it on. False when the TUN had nothing to read. */
    public boolean onTunReadable() {
        int n = tun.read(scratch, HEADROOM, config.mtuBytes());
        if (n == 0) {
            return false;
        }
        if (n == TunPort.TOO_BIG) {
            counters.increment(Counter.DROP_TOO_BIG);
            return true;
        }
        if (!allowedIps.allowsPacketAddress(scratch, HEADROOM, n, false)) {
            counters.increment(Counter.DROP_DISALLOWED_DESTINATION);
            return true;
        }
        sendData(scratch, n, now());
        return true;
    }

    /** Seals scratch[HEADROOM, +length) and sends it, or stages it while there is no session. */
    private void sendData(byte[] buf, int length, long now) {
        Keypair current = keypairs.current();
        if (current == null || !current.canSend(now) || endpoint == null) {
            if (endpoint == null) {
                counters.increment(Counter.DROP_NO_ENDPOINT);
                return;
            }
            stage(buf, HEADROOM, length);
            startHandshake(now, false);
            return;
        }
        int sealed = cipher.seal(current, buf, HEADROOM, length, config.mtuBytes());
        if (sealed < 0) {
            stage(buf, HEADROOM, length);
            startHandshake(now, false);
            return;
        }
        transmit(buf, sealed, now);
        counters.add(Counter.TX_BYTES, length);
        counters.increment(Counter.TX_PACKETS);
        if (length > 0) {
            timers.dataSent(now);
        } else {
            counters.increment(Counter.KEEPALIVES_SENT);
        }
        if (timers.rekeyDueOnSend(current, now)) {
            startHandshake(now, false);
        }
    }

    private void transmit(byte[] buf, int length, long now) {
        udp.send(buf, 0, length, endpoint);
        counters.add(Counter.TX_UDP_BYTES, length);
        timers.anyAuthenticatedPacketTraversal(now);
        timers.anyAuthenticatedPacketSent();
        lastSendNanos = now;
        counters.set(Counter.LAST_SEND_MONOTONIC_NANOS, now);
    }

    private void sendHandshakeMessage(byte[] buf, int length) {
        udp.send(buf, 0, length, endpoint);
        counters.add(Counter.TX_UDP_BYTES, length);
    }

    /**
     * The loop calls this before it hands over a batch (one TUN readiness, one GRO run): packets of
     * the batch take {@code nowNanos} as their time instead of reading the clock each (two clock
     * reads per packet were 1.7 % of the machine under load in a perf profile; a batch lasts tens of
     * microseconds, WireGuard's timers count in hundreds of milliseconds).
     */
    public void beginBatch(long nowNanos) {
        batchNanos = nowNanos;
        inBatch = true;
    }

    /** After the batch: packets read the clock again (tests and the fuzz target drive it directly). */
    public void endBatch() {
        inBatch = false;
    }

    private long now() {
        return inBatch ? batchNanos : clock.getAsLong();
    }

    /** Hands what the ports hold to the kernel: the UDP batch (GSO) and the TUN batch (GRO). */
    public void flush() {
        udp.flush();
        tun.flush();
    }

    private void sendKeepalive(long now) {
        if (stagedCount > 0) {
            sendStaged(now);
            return;
        }
        sendData(scratch, 0, now);
    }

    private void stage(byte[] buf, int offset, int length) {
        if (stagedCount == STAGED_CAPACITY) {
            // wireguard-go drops the oldest: the newest packets are the ones a sender still cares about
            stagedHead = (stagedHead + 1) % STAGED_CAPACITY;
            stagedCount--;
            counters.increment(Counter.DROP_NO_SESSION);
        }
        int slot = (stagedHead + stagedCount) % STAGED_CAPACITY;
        System.arraycopy(buf, offset, staged[slot], 0, length);
        stagedLength[slot] = length;
        stagedCount++;
        counters.set(Counter.STAGED_PACKETS, stagedCount);
    }

    private void sendStaged(long now) {
        Keypair current = keypairs.current();
        while (stagedCount > 0 && current != null && current.canSend(now)) {
            int slot = stagedHead;
            int length = stagedLength[slot];
            stagedHead = (stagedHead + 1) % STAGED_CAPACITY;
            stagedCount--;
            System.arraycopy(staged[slot], 0, scratch, HEADROOM, length);
            sendData(scratch, length, now);
        }
        counters.set(Counter.STAGED_PACKETS, stagedCount);
        flush();
    }

    private void dropStaged() {
        counters.add(Counter.DROP_NO_SESSION, stagedCount);
        stagedCount = 0;
        stagedHead = 0;
        counters.set(Counter.STAGED_PACKETS, 0);
    }

    private void startHandshake(long now, boolean isRetry) {
        if (endpoint == null || !timers.beginHandshakeInitiation(now, isRetry)) {
            return;
        }
        int n = handshake.createInitiation(handshakeOut, 0);
        cookieGenerator.addMacs(handshakeOut, 0, n, now);
        timers.anyAuthenticatedPacketTraversal(now);
        timers.anyAuthenticatedPacketSent();
        sendHandshakeMessage(handshakeOut, n);
        timers.handshakeInitiated(now);
        counters.increment(Counter.HANDSHAKE_INITIATIONS_SENT);
        flush();
    }

    // ------------------------------------------------------------------ receive side (UDP → TUN)

    /** One datagram from the socket; the caller releases it afterwards. */
    void onDatagram(ByteBuf content, int index, int length, InetSocketAddress sender) {
        if (length >= MAX_DATAGRAM) {
            counters.add(Counter.RX_UDP_BYTES, length);
            counters.increment(Counter.DROP_BAD_LENGTH);
            return;
        }
        content.getBytes(index, scratch, 0, length);
        onDatagram(length, sender);
    }

    /** One datagram of {@code length} bytes, already at scratch[0..] (tests and the fuzz target). */
    public void onDatagram(byte[] datagram, int offset, int length, InetSocketAddress sender) {
        if (length >= MAX_DATAGRAM || length > scratch.length) {
            counters.add(Counter.RX_UDP_BYTES, length);
            counters.increment(Counter.DROP_BAD_LENGTH);
            return;
        }
        System.arraycopy(datagram, offset, scratch, 0, length);
        onDatagram(length, sender);
    }

    private void onDatagram(int length, InetSocketAddress sender) {
        counters.add(Counter.RX_UDP_BYTES, length);
        long now = now();
        int type = Messages.typeOf(scratch, 0, length);
        switch (type) {
            case WireGuardSpec.MESSAGE_TRANSPORT -> receiveTransport(length, sender, now);
            case WireGuardSpec.MESSAGE_INITIATION -> receiveInitiation(length, sender, now);
            case WireGuardSpec.MESSAGE_RESPONSE -> receiveResponse(length, sender, now);
            case WireGuardSpec.MESSAGE_COOKIE_REPLY -> receiveCookieReply(length, now);
            default -> drop(DropReason.ofCode(type));
        }
    }

    private void receiveTransport(int length, InetSocketAddress sender, long now) {
        if (length < WireGuardSpec.KEEPALIVE_BYTES) {
            counters.increment(Counter.DROP_BAD_LENGTH);
            return;
        }
        Keypair keypair = keypairs.forLocalIndex(TransportHeader.receiverIndex(scratch, 0));
        if (keypair == null) {
            counters.increment(Counter.DROP_UNKNOWN_RECEIVER_INDEX);
            return;
        }
        int plaintext = cipher.open(keypair, scratch, 0, length, now);
        if (plaintext < 0) {
            drop(DropReason.ofCode(plaintext));
            return;
        }
        // authenticated from here on
        roam(sender);
        markReceived(now);
        counters.increment(Counter.RX_PACKETS);
        timers.anyAuthenticatedPacketTraversal(now);
        timers.anyAuthenticatedPacketReceived();
        if (keypairs.confirm(keypair)) {
            timers.handshakeComplete();
            handshakeCompleted(now, false);
            sendStaged(now);
        }
        if (timers.rekeyDueOnReceive(keypairs.current(), now)) {
            startHandshake(now, false);
        }
        if (plaintext == 0) {
            counters.increment(Counter.KEEPALIVES_RECEIVED);
            return;
        }
        int ipLength = ipPacketLength(scratch, HEADROOM, plaintext);
        if (ipLength <= 0) {
            counters.increment(Counter.DROP_NOT_IP);
            return;
        }
        if (!allowedIps.allowsPacketAddress(scratch, HEADROOM, ipLength, true)) {
            counters.increment(Counter.DROP_DISALLOWED_SOURCE);
            return;
        }
        timers.dataReceived(now);
        if (tun.write(scratch, HEADROOM, ipLength)) {
            counters.add(Counter.RX_BYTES, ipLength);
        } else {
            counters.increment(Counter.DROP_TUN_WRITE_FAILED);
        }
    }

    /** The IP packet's own length (the plaintext is padded), or 0 if it is not a sane IP packet. */
    static int ipPacketLength(byte[] buf, int off, int available) {
        int version = (buf[off] & 0xff) >>> 4;
        int length;
        if (version == 4 && available >= 20) {
            length = (buf[off + 2] & 0xff) << 8 | (buf[off + 3] & 0xff);
            if (length < 20) {
                return 0;
            }
        } else if (version == 6 && available >= 40) {
            length = 40 + ((buf[off + 4] & 0xff) << 8 | (buf[off + 5] & 0xff));
        } else {
            return 0;
        }
        return length <= available ? length : 0;
    }

    private void receiveInitiation(int length, InetSocketAddress sender, long now) {
        if (!admitHandshakeMessage(length, sender, now)) {
            return;
        }
        DropReason refused = handshake.consumeInitiation(scratch, 0, length, now);
        if (refused != null) {
            drop(refused);
            return;
        }
        counters.increment(Counter.HANDSHAKE_INITIATIONS_RECEIVED);
        roam(sender);
        markReceived(now);
        timers.anyAuthenticatedPacketTraversal(now);
        timers.anyAuthenticatedPacketReceived();
        int n = handshake.createResponse(handshakeOut, 0);
        keypairs.install(handshake.deriveKeypair(now));
        timers.sessionDerived(now);
        cookieGenerator.addMacs(handshakeOut, 0, n, now);
        timers.anyAuthenticatedPacketTraversal(now);
        timers.anyAuthenticatedPacketSent();
        sendHandshakeMessage(handshakeOut, n);
        counters.increment(Counter.HANDSHAKE_RESPONSES_SENT);
        counters.set(Counter.HANDSHAKE_ROLE, 2);
        flush();
    }

    private void receiveResponse(int length, InetSocketAddress sender, long now) {
        if (!admitHandshakeMessage(length, sender, now)) {
            return;
        }
        DropReason refused = handshake.consumeResponse(scratch, 0, length);
        if (refused != null) {
            drop(refused);
            return;
        }
        counters.increment(Counter.HANDSHAKE_RESPONSES_RECEIVED);
        roam(sender);
        keypairs.install(handshake.deriveKeypair(now));
        timers.anyAuthenticatedPacketTraversal(now);
        timers.anyAuthenticatedPacketReceived();
        timers.handshakeComplete();
        timers.sessionDerived(now);
        markReceived(now);
        handshakeCompleted(now, true);
        // the responder only trusts the new keypair once data arrives on it: send something now
        sendKeepalive(now);
        flush();
    }

    private void receiveCookieReply(int length, long now) {
        DropReason malformed = CookieReply.check(scratch, 0, length);
        if (malformed != null) {
            drop(malformed);
            return;
        }
        int receiver = new CookieReply().wrap(scratch, 0).receiverIndex();
        if (!handshake.hasLocalIndex() || handshake.localIndex() != receiver) {
            counters.increment(Counter.DROP_UNKNOWN_RECEIVER_INDEX);
            return;
        }
        DropReason refused = cookieGenerator.consumeReply(scratch, 0, length, now);
        if (refused != null) {
            drop(refused);
            return;
        }
        counters.increment(Counter.COOKIE_REPLIES_RECEIVED);
    }

    /**
     * mac1 always; under load mac2 too, answering a message without a valid mac2 with a cookie reply
     * instead of spending three Diffie-Hellman operations on it.
     */
    private boolean admitHandshakeMessage(int length, InetSocketAddress sender, long now) {
        int expected = Messages.typeOf(scratch, 0, length) == WireGuardSpec.MESSAGE_INITIATION
                ? WireGuardSpec.INITIATION_BYTES : WireGuardSpec.RESPONSE_BYTES;
        if (length != expected) {
            counters.increment(Counter.DROP_BAD_LENGTH);
            return false;
        }
        if (!cookieChecker.checkMac1(scratch, 0, length)) {
            counters.increment(Counter.DROP_BAD_MAC1);
            return false;
        }
        if (isUnderLoad(now)) {
            byte[] address = sender.getAddress().getAddress();
            if (!cookieChecker.checkMac2(scratch, 0, length, address, sender.getPort(), now)) {
                int n = cookieChecker.createReply(scratch, 0, length, address, sender.getPort(), now, handshakeOut, 0);
                udp.send(handshakeOut, 0, n, sender);
                udp.flush();
                counters.increment(Counter.COOKIE_REPLIES_SENT);
                counters.increment(Counter.DROP_UNDER_LOAD);
                return false;
            }
        }
        return true;
    }

    private boolean isUnderLoad(long now) {
        if (now - handshakeWindowStartNanos >= 1_000_000_000L) {
            handshakeWindowStartNanos = now;
            handshakesInWindow = 0;
        }
        handshakesInWindow++;
        if (handshakesInWindow > UNDER_LOAD_HANDSHAKES_PER_SECOND) {
            underLoadUntilNanos = now + UNDER_LOAD_HOLD_NANOS;
            underLoad = true;
        }
        if (underLoad && now - underLoadUntilNanos >= 0) {
            underLoad = false;
        }
        return underLoad;
    }

    private void handshakeCompleted(long now, boolean initiator) {
        counters.increment(Counter.HANDSHAKES_COMPLETED);
        counters.set(Counter.LAST_HANDSHAKE_EPOCH_MILLIS, System.currentTimeMillis());
        counters.set(Counter.HANDSHAKE_ROLE, initiator ? 1 : 2);
        counters.set(Counter.SESSION_ESTABLISHED, 1);
        LOG.debug("session established as {}", initiator ? "initiator" : "responder");
    }

    /** Liveness: the time of the last authenticated packet, read by the supervisor. */
    private void markReceived(long now) {
        counters.set(Counter.LAST_RECEIVE_MONOTONIC_NANOS, now);
    }

    private void roam(InetSocketAddress sender) {
        if (!sender.equals(endpoint)) {
            setEndpoint(sender);
        }
    }

    private void setEndpoint(InetSocketAddress address) {
        endpoint = address;
        byte[] raw = address.getAddress().getAddress();
        byte[] v6 = new byte[16];
        if (raw.length == 4) {
            v6[10] = (byte) 0xff;
            v6[11] = (byte) 0xff;
            System.arraycopy(raw, 0, v6, 12, 4);
        } else {
            System.arraycopy(raw, 0, v6, 0, 16);
        }
        long seq = counters.get(Counter.ENDPOINT_SEQUENCE);
        counters.set(Counter.ENDPOINT_SEQUENCE, seq + 1);
        counters.set(Counter.ENDPOINT_ADDRESS_HIGH, AllowedIps.readLong(v6, 0));
        counters.set(Counter.ENDPOINT_ADDRESS_LOW, AllowedIps.readLong(v6, 8));
        counters.set(Counter.ENDPOINT_PORT, address.getPort());
        counters.set(Counter.ENDPOINT_SEQUENCE, seq + 2);
    }

    private void drop(DropReason reason) {
        counters.increment(switch (reason) {
            case BAD_LENGTH -> Counter.DROP_BAD_LENGTH;
            case UNKNOWN_MESSAGE_TYPE -> Counter.DROP_BAD_TYPE;
            case BAD_MAC1 -> Counter.DROP_BAD_MAC1;
            case BAD_MAC2 -> Counter.DROP_BAD_MAC2;
            case DECRYPT_FAILED -> Counter.DROP_DECRYPT_FAILED;
            case UNKNOWN_PEER -> Counter.DROP_UNKNOWN_PEER;
            case STALE_TIMESTAMP -> Counter.DROP_STALE_TIMESTAMP;
            case RATE_LIMITED -> Counter.DROP_RATE_LIMITED;
            case BAD_PUBLIC_KEY -> Counter.DROP_HANDSHAKE_FAILED;
            case UNKNOWN_RECEIVER_INDEX -> Counter.DROP_UNKNOWN_RECEIVER_INDEX;
            case REPLAYED_COUNTER -> Counter.DROP_REPLAYED_COUNTER;
            case EXPIRED_KEYPAIR -> Counter.DROP_KEYPAIR_EXPIRED;
            case BAD_COOKIE_REPLY -> Counter.DROP_BAD_COOKIE_REPLY;
            case SEND_COUNTER_EXHAUSTED -> Counter.DROP_NO_SESSION;
        });
    }

    // ------------------------------------------------------------------ timers and control

    public void onTick(long now) {
        int due = timers.poll(now);
        if ((due & Timers.RETRANSMIT_HANDSHAKE) != 0) {
            startHandshake(now, true);
        }
        if ((due & Timers.HANDSHAKE_GAVE_UP) != 0) {
            dropStaged();
        }
        if ((due & (Timers.SEND_KEEPALIVE | Timers.PERSISTENT_KEEPALIVE)) != 0) {
            sendKeepalive(now);
        }
        if ((due & Timers.NEW_HANDSHAKE) != 0) {
            startHandshake(now, false);
        }
        if ((due & Timers.ZERO_KEY_MATERIAL) != 0) {
            keypairs.clear();
            handshake.clear();
            dropStaged();
        }
        keypairs.removeExpired(now);
        Keypair current = keypairs.current();
        boolean established = current != null && current.canSend(now);
        counters.set(Counter.SESSION_ESTABLISHED, established ? 1 : 0);
        if (livenessKeepaliveNanos > 0) {
            if (established && now - lastSendNanos >= livenessKeepaliveNanos) {
                sendKeepalive(now);
            } else if (!established && keypairs.next() == null && now - noSessionSinceNanos >= offerDelayNanos) {
                // a Braid path never gives up: with no session it keeps offering a handshake (at
                // most one per REKEY_TIMEOUT), so a path comes back by itself when the peer does
                startHandshake(now, false);
            }
        }
        if (established) {
            noSessionSinceNanos = now;
        }
        flush();
    }

    public void onControl(ControlCommand command, long now) {
        switch (command) {
            case REKEY -> {
                counters.increment(Counter.REKEYS_FORCED);
                // like any fresh attempt, at most one initiation per REKEY_TIMEOUT
                startHandshake(now, false);
            }
            case KEEPALIVE -> sendKeepalive(now);
            case NONE -> {
            }
        }
        flush();
    }
}
