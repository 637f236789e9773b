package dev.braid.instance.fuzz;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.braid.instance.protocol.CookieChecker;
import dev.braid.instance.protocol.CookieGenerator;
import dev.braid.instance.protocol.CookieReply;
import dev.braid.instance.protocol.DropReason;
import dev.braid.instance.protocol.HandshakeInitiation;
import dev.braid.instance.protocol.HandshakeResponse;
import dev.braid.instance.protocol.Messages;
import dev.braid.instance.protocol.NoiseHandshake;
import dev.braid.instance.protocol.TransportCipher;
import dev.braid.instance.protocol.TransportHeader;
import dev.braid.instance.protocol.WireGuardSpec;

/**
 * Fuzz targets for the protocol classes one by one, below the session: the message flyweights'
 * checks, the two handshake consumers, the cookie reply consumer and the transport opener. The
 * handshake targets fix up mac1 over the mutated message (computed with the receiver's public key,
 * as an attacker who knows it would), so the fuzzer gets past mac1 to the Diffie-Hellman and AEAD
 * code instead of failing at the first BLAKE2s. Each target states what must hold besides "nothing
 * throws": what a check returns follows from the bytes alone, an accepted message is never accepted
 * twice, a cookie round-trips, a sealed packet opens to itself. Objects an input changed are rebuilt
 * (deterministically) before the next input.
 */
class MessageParserFuzzTest {
    private static final int OFFSET = 3;
    private static final CookieChecker CHECKER_R = new CookieChecker(PeerPair.PUBLIC_R, new SplittableRandom(1));
    private static final CookieChecker CHECKER_I = new CookieChecker(PeerPair.PUBLIC_I, new SplittableRandom(2));
    private static final Set<DropReason> INITIATION_REFUSALS = EnumSet.of(DropReason.UNKNOWN_MESSAGE_TYPE,
            DropReason.BAD_PUBLIC_KEY, DropReason.DECRYPT_FAILED, DropReason.UNKNOWN_PEER, DropReason.STALE_TIMESTAMP,
            DropReason.RATE_LIMITED);
    private static final Set<DropReason> RESPONSE_REFUSALS = EnumSet.of(DropReason.UNKNOWN_MESSAGE_TYPE,
            DropReason.UNKNOWN_RECEIVER_INDEX, DropReason.BAD_PUBLIC_KEY, DropReason.DECRYPT_FAILED);
    private static final Set<DropReason> OPEN_REFUSALS = EnumSet.of(DropReason.BAD_LENGTH, DropReason.UNKNOWN_MESSAGE_TYPE,
            DropReason.UNKNOWN_RECEIVER_INDEX, DropReason.EXPIRED_KEYPAIR, DropReason.DECRYPT_FAILED,
            DropReason.REPLAYED_COUNTER);

    private static NoiseHandshake responder;
    private static ProtocolFixtures.Initiated initiated;
    private static ProtocolFixtures.Initiated cookieWaiter;
    private static ProtocolFixtures.Keypairs openKeypairs;
    private static ProtocolFixtures.Keypairs sealKeypairs;
    private static final TransportCipher CIPHER = new TransportCipher();

    // ------------------------------------------------------------------ flyweights

    @FuzzTest
    void flyweights(byte[] message) {
        byte[] buf = new byte[message.length + 2 * OFFSET];
        System.arraycopy(message, 0, buf, OFFSET, message.length);
        int length = message.length;
        int word = DatagramAccounting.typeOf(message, 0, length);

        int expectedType = length < 4 ? DropReason.BAD_LENGTH.code()
                : word >= 1 && word <= 4 ? word : DropReason.UNKNOWN_MESSAGE_TYPE.code();
        expect(Messages.typeOf(buf, OFFSET, length) == expectedType, "typeOf gave " + Messages.typeOf(buf, OFFSET, length)
                + " for a " + length + "-byte message starting with word " + word);

        expectFixed(HandshakeInitiation.check(buf, OFFSET, length), length, word, WireGuardSpec.INITIATION_BYTES, 1);
        expectFixed(HandshakeResponse.check(buf, OFFSET, length), length, word, WireGuardSpec.RESPONSE_BYTES, 2);
        expectFixed(CookieReply.check(buf, OFFSET, length), length, word, WireGuardSpec.COOKIE_REPLY_BYTES, 3);
        int transport = TransportHeader.check(buf, OFFSET, length);
        int expectedTransport = length < WireGuardSpec.KEEPALIVE_BYTES ? DropReason.BAD_LENGTH.code()
                : word != 4 ? DropReason.UNKNOWN_MESSAGE_TYPE.code() : 0;
        expect(transport == expectedTransport, "TransportHeader.check gave " + transport + ", expected " + expectedTransport);

        if (length >= 8) {
            int index = DatagramAccounting.typeOf(message, 4, 4);
            expect(new HandshakeInitiation().wrap(buf, OFFSET).senderIndex() == index, "initiation sender index");
            expect(new HandshakeResponse().wrap(buf, OFFSET).senderIndex() == index, "response sender index");
            expect(new CookieReply().wrap(buf, OFFSET).receiverIndex() == index, "cookie reply receiver index");
            expect(TransportHeader.receiverIndex(buf, OFFSET) == index, "transport receiver index");
        }
        if (length >= 16) {
            long counter = (DatagramAccounting.typeOf(message, 8, 4) & 0xffffffffL)
                    | (long) DatagramAccounting.typeOf(message, 12, 4) << 32;
            expect(TransportHeader.counter(buf, OFFSET) == counter, "transport counter");
            expect(new HandshakeResponse().wrap(buf, OFFSET).receiverIndex() == DatagramAccounting.typeOf(message, 8, 4),
                    "response receiver index");
        }
        // mac1 is computed over whatever is there; it must neither throw nor read outside the message
        boolean mac1 = CHECKER_R.checkMac1(buf, OFFSET, length);
        byte[] moved = new byte[length + 50];
        System.arraycopy(message, 0, moved, 50, length);
        expect(CHECKER_R.checkMac1(moved, 50, length) == mac1, "checkMac1 depends on bytes outside the message");
    }

    private static void expectFixed(DropReason got, int length, int word, int size, int type) {
        DropReason expected = length != size ? DropReason.BAD_LENGTH : word != type ? DropReason.UNKNOWN_MESSAGE_TYPE : null;
        expect(got == expected, "check for type " + type + " gave " + got + " for a " + length + "-byte message with word "
                + word + ", expected " + expected);
    }

    // ------------------------------------------------------------------ handshake consumers

    @FuzzTest
    void consumeInitiation(byte[] input) {
        if (responder == null) {
            responder = ProtocolFixtures.responder();
        }
        byte[] message = Arrays.copyOf(input, WireGuardSpec.INITIATION_BYTES);
        new CookieGenerator(PeerPair.PUBLIC_R).addMacs(message, 0, message.length, ProtocolFixtures.NOW_NANOS);
        expect(CHECKER_R.checkMac1(message, 0, message.length), "the fixed-up mac1 does not verify");
        DropReason refused = responder.consumeInitiation(message, 0, message.length, ProtocolFixtures.NOW_NANOS);
        if (refused != null) {
            expect(INITIATION_REFUSALS.contains(refused), "an initiation of the right length refused as " + refused);
            return;
        }
        NoiseHandshake accepted = responder;
        responder = null; // changed: rebuilt for the next input
        byte[] response = new byte[WireGuardSpec.RESPONSE_BYTES];
        expect(accepted.createResponse(response, 0) == WireGuardSpec.RESPONSE_BYTES, "response length");
        expect(accepted.deriveKeypair(ProtocolFixtures.NOW_NANOS) != null, "no keypair");
        DropReason again = accepted.consumeInitiation(message, 0, message.length,
                ProtocolFixtures.NOW_NANOS + WireGuardSpec.REKEY_TIMEOUT_NANOS);
        expect(again == DropReason.STALE_TIMESTAMP, "an accepted initiation replayed later was " + again + ", not stale_timestamp");
    }

    @FuzzTest
    void consumeResponse(byte[] input) {
        if (initiated == null) {
            initiated = ProtocolFixtures.initiated();
        }
        byte[] message = Arrays.copyOf(input, WireGuardSpec.RESPONSE_BYTES);
        new CookieGenerator(PeerPair.PUBLIC_I).addMacs(message, 0, message.length, ProtocolFixtures.NOW_NANOS);
        expect(CHECKER_I.checkMac1(message, 0, message.length), "the fixed-up mac1 does not verify");
        NoiseHandshake handshake = initiated.handshake();
        DropReason refused = handshake.consumeResponse(message, 0, message.length);
        if (refused != null) {
            expect(RESPONSE_REFUSALS.contains(refused), "a response of the right length refused as " + refused);
            expect(handshake.isAwaitingResponse(), "a refused response ended the handshake");
            return;
        }
        initiated = null;
        expect(handshake.deriveKeypair(ProtocolFixtures.NOW_NANOS) != null, "no keypair");
        DropReason again = handshake.consumeResponse(message, 0, message.length);
        expect(again == DropReason.UNKNOWN_RECEIVER_INDEX, "an accepted response replayed was " + again);
    }

    @FuzzTest
    void consumeCookieReply(byte[] input) {
        if (cookieWaiter == null) {
            cookieWaiter = ProtocolFixtures.initiated();
        }
        byte[] reply = Arrays.copyOf(input, WireGuardSpec.COOKIE_REPLY_BYTES);
        CookieGenerator cookies = cookieWaiter.cookies();
        DropReason refused = cookies.consumeReply(reply, 0, reply.length, ProtocolFixtures.NOW_NANOS);
        if (refused != null) {
            expect(refused == DropReason.UNKNOWN_MESSAGE_TYPE || refused == DropReason.BAD_COOKIE_REPLY,
                    "a 64-byte cookie reply refused as " + refused);
            expect(!cookies.hasFreshCookie(ProtocolFixtures.NOW_NANOS), "a refused reply left a cookie");
            return;
        }
        cookieWaiter = null;
        expect(cookies.hasFreshCookie(ProtocolFixtures.NOW_NANOS), "an accepted reply left no cookie");
        expect(cookies.consumeReply(reply, 0, reply.length, ProtocolFixtures.NOW_NANOS) == DropReason.BAD_COOKIE_REPLY,
                "one cookie reply per mac1: the same reply was accepted twice");
    }

    // ------------------------------------------------------------------ transport

    @FuzzTest
    void openTransport(byte[] message) {
        if (openKeypairs == null) {
            openKeypairs = ProtocolFixtures.keypairs();
        }
        byte[] buf = new byte[message.length + 2 * OFFSET];
        System.arraycopy(message, 0, buf, OFFSET, message.length);
        int opened = CIPHER.open(openKeypairs.responder(), buf, OFFSET, message.length, ProtocolFixtures.NOW_NANOS);
        if (opened < 0) {
            DropReason reason = DropReason.ofCode(opened);
            expect(OPEN_REFUSALS.contains(reason), "open refused as " + reason);
            return;
        }
        expect(opened == message.length - WireGuardSpec.KEEPALIVE_BYTES, "opened " + opened + " bytes of a "
                + message.length + "-byte message");
        byte[] again = Arrays.copyOf(message, message.length);
        int replayed = CIPHER.open(openKeypairs.responder(), again, 0, again.length, ProtocolFixtures.NOW_NANOS);
        openKeypairs = null;
        expect(replayed == DropReason.REPLAYED_COUNTER.code(), "an opened message opened again gave " + replayed);
    }

    @FuzzTest
    void sealThenOpen(FuzzedDataProvider data) {
        if (sealKeypairs == null) {
            // The keypairs stay for the whole run: only their counters move, which no property here depends on.
            sealKeypairs = ProtocolFixtures.keypairs();
        }
        int mtu = data.consumeBoolean() ? 0 : data.consumeInt(576, 9000);
        byte[] payload = data.consumeBytes(mtu == 0 ? 9000 : mtu);
        int padded = TransportCipher.paddedLength(payload.length, mtu);
        expect(padded >= payload.length && padded - payload.length < WireGuardSpec.PADDING_MULTIPLE
                && (padded % WireGuardSpec.PADDING_MULTIPLE == 0 || padded == mtu), "padded " + payload.length + " to " + padded
                + " with MTU " + mtu);
        byte[] buf = new byte[TransportHeader.LENGTH + padded + WireGuardSpec.TAG_BYTES];
        System.arraycopy(payload, 0, buf, TransportHeader.LENGTH, payload.length);
        Arrays.fill(buf, TransportHeader.LENGTH + payload.length, buf.length, (byte) 0x77); // sealing must pad with zeros
        int sealed = CIPHER.seal(sealKeypairs.initiator(), buf, TransportHeader.LENGTH, payload.length, mtu);
        expect(sealed == buf.length && sealed == TransportCipher.sealedLength(payload.length, mtu), "sealed length " + sealed);
        int opened = CIPHER.open(sealKeypairs.responder(), buf, 0, sealed, ProtocolFixtures.NOW_NANOS);
        expect(opened == padded, "a sealed packet opened to " + opened + " bytes, expected " + padded);
        expect(Arrays.equals(buf, TransportHeader.LENGTH, TransportHeader.LENGTH + payload.length, payload, 0, payload.length),
                "the packet changed on the way");
        for (int k = TransportHeader.LENGTH + payload.length; k < TransportHeader.LENGTH + padded; k++) {
            expect(buf[k] == 0, "padding byte " + k + " is not zero");
        }
    }

    // ------------------------------------------------------------------ cookies

    @FuzzTest
    void cookieRoundTrip(FuzzedDataProvider data) {
        int length = data.consumeInt(8 + 2 * WireGuardSpec.MAC_BYTES, 2047);
        byte[] address = data.consumeBytes(data.consumeBoolean() ? 16 : 4);
        if (address.length != 4 && address.length != 16) {
            address = Arrays.copyOf(address, 4);
        }
        int port = data.consumeInt(0, 65535);
        long now = data.consumeLong();
        byte[] message = Arrays.copyOf(data.consumeRemainingAsBytes(), length);

        CookieGenerator generator = new CookieGenerator(PeerPair.PUBLIC_R);
        CookieChecker checker = new CookieChecker(PeerPair.PUBLIC_R, new SplittableRandom(Arrays.hashCode(message)));
        generator.addMacs(message, 0, length, now);
        expect(checker.checkMac1(message, 0, length), "mac1 written by the generator does not verify");
        expect(!checker.checkMac2(message, 0, length, address, port, now), "mac2 verified before any cookie was given");
        byte[] reply = new byte[WireGuardSpec.COOKIE_REPLY_BYTES];
        expect(checker.createReply(message, 0, length, address, port, now, reply, 0) == reply.length, "reply length");
        expect(CookieReply.check(reply, 0, reply.length) == null, "the cookie reply is malformed");
        expect(new CookieReply().wrap(reply, 0).receiverIndex() == DatagramAccounting.typeOf(message, 4, 4),
                "the reply is not addressed to the message's sender index");
        DropReason refused = generator.consumeReply(reply, 0, reply.length, now);
        expect(refused == null, "the generator refused the checker's reply: " + refused);
        generator.addMacs(message, 0, length, now);
        expect(checker.checkMac1(message, 0, length), "mac1 no longer verifies once mac2 is added");
        expect(checker.checkMac2(message, 0, length, address, port, now), "mac2 made with the cookie does not verify");
        expect(!checker.checkMac2(message, 0, length, address, port ^ 1, now), "mac2 verified for another source port");
    }

    private static void expect(boolean condition, String problem) {
        if (!condition) {
            throw new AssertionError(problem);
        }
    }
}
