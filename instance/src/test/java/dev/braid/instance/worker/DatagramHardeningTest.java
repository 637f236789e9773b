package dev.braid.instance.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.braid.instance.counters.Counter;
import dev.braid.instance.fuzz.DatagramAccounting;
import dev.braid.instance.fuzz.PeerPair;
import dev.braid.instance.fuzz.SeedCorpus;
import io.netty.buffer.Unpooled;

/**
 * Bad input at the worker's UDP port, one kind at a time, against a session with an established
 * keypair and a rekey in flight (PeerPair's ESTABLISHED start): every datagram is dropped, counted
 * under its own reason, answered with nothing, and the session keeps carrying traffic. Oversize and
 * empty datagrams go through both entry points — the byte[] one and the Netty ByteBuf one the loop
 * uses. The accounting rule itself (exactly one counter per datagram, no answers) is checked on
 * every datagram by {@link DatagramAccounting}.
 */
class DatagramHardeningTest {
    private static final long LIVENESS_BOUND_NANOS = 30 * PeerPair.SECOND;

    PeerPair pair;
    Map<String, byte[]> real;

    @BeforeEach
    void establish() {
        pair = new PeerPair(PeerPair.Start.ESTABLISHED);
        real = SeedCorpus.realDatagrams();
    }

    @AfterEach
    void close() {
        pair.close();
    }

    /** Feeds one datagram through the byte[] entry point; it must be dropped. Returns the reason. */
    private Counter dropped(byte[] datagram) {
        if (pair.isDirty()) {
            pair.reset();
        }
        DatagramAccounting.Outcome outcome = pair.feed(datagram, 0, datagram.length, PeerPair.ADDRESS_I);
        assertNull(outcome.accepted(), "a " + datagram.length + "-byte datagram was accepted as " + outcome.accepted());
        assertNotNull(outcome.dropReason());
        return outcome.dropReason();
    }

    /** The same through the ByteBuf entry point the Netty loop calls. */
    private Counter droppedViaNetty(byte[] datagram) {
        if (pair.isDirty()) {
            pair.reset();
        }
        PeerPair.Peer r = pair.responder();
        r.outbox().clear();
        long[] before = r.counters().snapshot();
        r.session().onDatagram(Unpooled.wrappedBuffer(datagram), 0, datagram.length, PeerPair.ADDRESS_I);
        long[] after = r.counters().snapshot();
        DatagramAccounting.Outcome outcome = DatagramAccounting.judge(before, after, datagram.length,
                DatagramAccounting.typeOf(datagram, 0, datagram.length), r.outbox(), PeerPair.ADDRESS_I, 0);
        assertNull(outcome.accepted());
        return outcome.dropReason();
    }

    private void assertStillCarriesTraffic() {
        pair.assertCarriesTraffic(LIVENESS_BOUND_NANOS);
    }

    /** A real transport message of {@code size} bytes: its header (our receiver index) and junk after. */
    private byte[] transportOfSize(int size) {
        byte[] bytes = Arrays.copyOf(real.get("transport-data"), size);
        byte[] junk = SeedCorpus.junk(size);
        if (size > 16) {
            System.arraycopy(junk, 16, bytes, 16, size - 16);
        }
        return bytes;
    }

    @Test
    void oversizeDatagramsAreDroppedAsBadLength() {
        for (int size : new int[] {PeerSession.MAX_DATAGRAM, 4000, 9000, 65_507}) {
            assertEquals(Counter.DROP_BAD_LENGTH, dropped(SeedCorpus.junk(size)), size + " bytes of junk");
            assertEquals(Counter.DROP_BAD_LENGTH, dropped(transportOfSize(size)), size + "-byte transport message");
            assertEquals(Counter.DROP_BAD_LENGTH, droppedViaNetty(transportOfSize(size)), size + " bytes via Netty");
        }
        // the largest datagram taken in gets as far as the cipher
        assertEquals(Counter.DROP_DECRYPT_FAILED, dropped(transportOfSize(PeerSession.MAX_DATAGRAM - 1)));
        assertEquals(Counter.DROP_DECRYPT_FAILED, droppedViaNetty(transportOfSize(PeerSession.MAX_DATAGRAM - 1)));
        assertStillCarriesTraffic();
    }

    @Test
    void emptyAndTinyDatagramsAreDroppedAsBadLength() {
        assertEquals(Counter.DROP_BAD_LENGTH, dropped(new byte[0]));
        assertEquals(Counter.DROP_BAD_LENGTH, droppedViaNetty(new byte[0]));
        for (byte[] tiny : List.of(new byte[] {4}, new byte[] {1, 0}, new byte[] {4, 0, 0})) {
            assertEquals(Counter.DROP_BAD_LENGTH, dropped(tiny), tiny.length + " bytes");
        }
        assertEquals(Counter.DROP_BAD_LENGTH, dropped(new byte[] {4, 0, 0, 0}), "a transport type with nothing after it");
        assertEquals(Counter.DROP_BAD_LENGTH, dropped(new byte[] {1, 0, 0, 0}), "an initiation type with nothing after it");
        assertStillCarriesTraffic();
    }

    @Test
    void unknownTypesAreDroppedAsBadType() {
        for (int type : new int[] {0, 5, 6, 0x7f, 0x80, 0xff}) {
            for (int size : new int[] {4, WireGuardSpecSizes.KEEPALIVE, WireGuardSpecSizes.INITIATION, 1500}) {
                byte[] datagram = SeedCorpus.junk(size);
                datagram[0] = (byte) type;
                datagram[1] = 0;
                datagram[2] = 0;
                datagram[3] = 0;
                assertEquals(Counter.DROP_BAD_TYPE, dropped(datagram), "type " + type + ", " + size + " bytes");
            }
        }
        assertStillCarriesTraffic();
    }

    @Test
    void everyReservedByteVariantOfEveryTypeIsDroppedAsBadType() {
        for (String name : List.of("initiation", "rekey-response", "cookie-reply", "transport-data", "keepalive")) {
            byte[] message = real.get(name);
            for (int position = 1; position <= 3; position++) {
                for (int value : new int[] {0x01, 0x80, 0xff}) {
                    byte[] variant = message.clone();
                    variant[position] = (byte) value;
                    assertEquals(Counter.DROP_BAD_TYPE, dropped(variant), name + " with reserved byte " + position + " = " + value);
                }
            }
        }
        // control: the untouched messages do get past the type check
        for (String name : List.of("rekey-response", "cookie-reply", "transport-data", "keepalive")) {
            pair.reset();
            byte[] message = real.get(name);
            assertNotNull(pair.feed(message, 0, message.length, PeerPair.ADDRESS_I).accepted(), name);
        }
        assertStillCarriesTraffic();
    }

    @Test
    void truncatedAndOverlongMessagesAreDropped() {
        for (String name : List.of("initiation", "rekey-response", "cookie-reply")) {
            byte[] message = real.get(name);
            for (int length : new int[] {message.length - 1, message.length + 1, message.length - 16, message.length + 16, 8}) {
                assertEquals(Counter.DROP_BAD_LENGTH, dropped(Arrays.copyOf(message, length)), name + " cut to " + length);
            }
        }
        for (String name : List.of("transport-data", "keepalive", "transport-data-full-mtu")) {
            byte[] message = real.get(name);
            // a transport message has no fixed length: a changed length moves the tag, and the tag fails
            assertEquals(Counter.DROP_DECRYPT_FAILED, dropped(Arrays.copyOf(message, message.length + 1)), name + " + 1");
            assertEquals(Counter.DROP_DECRYPT_FAILED, dropped(Arrays.copyOf(message, message.length + 16)), name + " + 16");
            if (message.length > WireGuardSpecSizes.KEEPALIVE) {
                assertEquals(Counter.DROP_DECRYPT_FAILED, dropped(Arrays.copyOf(message, message.length - 1)), name + " - 1");
            }
            assertEquals(Counter.DROP_BAD_LENGTH, dropped(Arrays.copyOf(message, WireGuardSpecSizes.KEEPALIVE - 1)), name + " below a keepalive");
            assertEquals(Counter.DROP_BAD_LENGTH, dropped(Arrays.copyOf(message, 16)), name + " header only");
        }
        assertStillCarriesTraffic();
    }

    /** Message sizes, spelled out so the test does not lean on the constants it is checking. */
    private static final class WireGuardSpecSizes {
        static final int INITIATION = 148;
        static final int KEEPALIVE = 32;
    }
}
