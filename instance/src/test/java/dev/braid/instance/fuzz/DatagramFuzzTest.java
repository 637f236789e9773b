package dev.braid.instance.fuzz;

import java.net.InetSocketAddress;
import java.util.Arrays;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz targets for the worker's receive side: whatever arrives on the UDP port goes through
 * {@link dev.braid.instance.worker.PeerSession#onDatagram} of a session in one of two states — a
 * FRESH responder that has heard from nobody, and an ESTABLISHED session with a rekey in flight
 * (see {@link PeerPair}). Every datagram must obey {@link DatagramAccounting}; nothing may throw;
 * and afterwards the session must still carry a real packet both ways (checked after every input
 * that was accepted as authentic and, to stay fast, after one in 64 others — chosen by the
 * input's hash, so a run is deterministic given its input). A pair that an input changed is rebuilt
 * before the next input.
 * <p>
 * The sequence targets read their input as records: one header byte (bits 0-1 the source address:
 * the peer, the peer, a stranger over IPv4, a stranger over IPv6; bits 2-7 a clock advance code,
 * see {@link #advanceNanos}), a big-endian u16 length, then that many datagram bytes (fewer at the
 * end of the input). The clock advance happens before the datagram, followed by one timer tick.
 * <p>
 * The corpus in {@code src/test/resources/dev/braid/instance/fuzz/DatagramFuzzTestInputs/} replays
 * in every test run; fuzz for real with {@code JAZZER_FUZZ=1} (see docs/fuzzing.md).
 */
class DatagramFuzzTest {
    /** Generous: long enough for any recovery WireGuard's own timers make (a rekey, a keypair expiring). */
    static final long LIVENESS_BOUND_NANOS = 300 * PeerPair.SECOND;
    static final int MAX_DATAGRAMS_PER_INPUT = 256;
    private static final InetSocketAddress[] SOURCES = {PeerPair.ADDRESS_I, PeerPair.ADDRESS_I,
            PeerPair.ADDRESS_STRANGER_V4, PeerPair.ADDRESS_STRANGER_V6};

    private static PeerPair fresh;
    private static PeerPair established;

    private static synchronized PeerPair fresh() {
        if (fresh == null) {
            fresh = new PeerPair(PeerPair.Start.FRESH);
        }
        return fresh;
    }

    private static synchronized PeerPair established() {
        if (established == null) {
            established = new PeerPair(PeerPair.Start.ESTABLISHED);
        }
        return established;
    }

    @FuzzTest
    void oneDatagramToAFreshResponder(byte[] datagram) {
        one(fresh(), datagram, PeerPair.ADDRESS_STRANGER_V4);
    }

    @FuzzTest
    void oneDatagramToAnEstablishedSession(byte[] datagram) {
        one(established(), datagram, PeerPair.ADDRESS_I);
    }

    @FuzzTest
    void datagramSequenceToAFreshResponder(byte[] input) {
        sequence(fresh(), input);
    }

    @FuzzTest
    void datagramSequenceToAnEstablishedSession(byte[] input) {
        sequence(established(), input);
    }

    private static void one(PeerPair pair, byte[] datagram, InetSocketAddress source) {
        if (pair.isDirty()) {
            pair.reset();
        }
        DatagramAccounting.Outcome outcome = pair.feed(datagram, 0, datagram.length, source);
        if (outcome.accepted() != null || sampled(datagram)) {
            pair.assertCarriesTraffic(LIVENESS_BOUND_NANOS);
        }
    }

    private static void sequence(PeerPair pair, byte[] input) {
        if (pair.isDirty()) {
            pair.reset();
        }
        boolean anyAccepted = false;
        int position = 0;
        for (int count = 0; position < input.length && count < MAX_DATAGRAMS_PER_INPUT; count++) {
            int header = input[position++] & 0xff;
            int length;
            if (input.length - position >= 2) {
                length = (input[position] & 0xff) << 8 | (input[position + 1] & 0xff);
                position += 2;
            } else {
                length = input.length - position;
            }
            length = Math.min(length, input.length - position);
            long advance = advanceNanos(header >>> 2);
            if (advance > 0) {
                pair.advanceResponder(advance);
            }
            DatagramAccounting.Outcome outcome = pair.feed(input, position, length, SOURCES[header & 3]);
            anyAccepted |= outcome.accepted() != null;
            position += length;
        }
        if (anyAccepted || sampled(input)) {
            pair.assertCarriesTraffic(LIVENESS_BOUND_NANOS);
        }
    }

    /**
     * Clock advance for a 6-bit code: 0 none, else ⌊1.25^code⌋ ms — from 1 ms up to about 21 minutes,
     * past every WireGuard timer (REJECT_AFTER_TIME × 3 = 9 min is the longest).
     */
    static long advanceNanos(int code) {
        return code == 0 ? 0 : (long) StrictMath.floor(StrictMath.pow(1.25, code)) * PeerPair.MS;
    }

    /** One input in 64 also gets the (slower) liveness check, chosen by its content. */
    private static boolean sampled(byte[] input) {
        return (Arrays.hashCode(input) & 63) == 0;
    }
}
