package dev.braid.instance.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.braid.instance.counters.ControlCommand;
import dev.braid.instance.protocol.TransportCipher;
import dev.braid.instance.protocol.WireGuardSpec;

/**
 * The seed corpus of every fuzz target in this package, made deterministically: real messages as
 * {@link PeerPair} and {@link ProtocolFixtures} put them on the wire (an initiation, a response, a
 * cookie reply, transport packets, a keepalive, our own messages reflected back), plus edge cases
 * (empty, 1..4 bytes, junk of exactly each message size, 2047/2048/65507 bytes) and, for the
 * sequence targets, short scripts (a replay, a flood that puts the responder under load, packets
 * after long pauses, a roaming peer). {@link SeedCorpusTest} checks the committed files are exactly
 * these and writes them when asked. Seed files are named {@code seed-*}; anything else in a corpus
 * directory (a crash reproducer the fuzzer wrote) is left alone.
 */
public final class SeedCorpus {
    /** Where the corpora live, relative to the instance module. */
    static final Path RESOURCES = Path.of("src/test/resources/dev/braid/instance/fuzz");

    private SeedCorpus() {
    }

    /** Corpus directory (relative to {@link #RESOURCES}) → seed file name → contents. */
    static Map<String, Map<String, byte[]>> generate() {
        Map<String, byte[]> real = realDatagrams();
        Map<String, byte[]> edges = edgeCases();
        Map<String, Map<String, byte[]>> corpus = new LinkedHashMap<>();

        Map<String, byte[]> oneDatagram = new LinkedHashMap<>(real);
        oneDatagram.putAll(edges);
        put(corpus, "DatagramFuzzTestInputs/oneDatagramToAFreshResponder", oneDatagram);
        put(corpus, "DatagramFuzzTestInputs/oneDatagramToAnEstablishedSession", oneDatagram);
        put(corpus, "DatagramFuzzTestInputs/datagramSequenceToAFreshResponder", freshSequences(real, edges));
        put(corpus, "DatagramFuzzTestInputs/datagramSequenceToAnEstablishedSession", establishedSequences(real, edges));

        put(corpus, "MessageParserFuzzTestInputs/flyweights", oneDatagram);
        put(corpus, "MessageParserFuzzTestInputs/consumeInitiation", initiations(real, edges));
        put(corpus, "MessageParserFuzzTestInputs/consumeResponse", responses(edges));
        put(corpus, "MessageParserFuzzTestInputs/consumeCookieReply", cookieReplies(edges));
        put(corpus, "MessageParserFuzzTestInputs/openTransport", transports(edges));
        put(corpus, "MessageParserFuzzTestInputs/sealThenOpen", randoms(64, 1500, 9100));
        put(corpus, "MessageParserFuzzTestInputs/cookieRoundTrip", randoms(100, 300));
        return corpus;
    }

    private static void put(Map<String, Map<String, byte[]>> corpus, String dir, Map<String, byte[]> seeds) {
        Map<String, byte[]> named = new LinkedHashMap<>();
        seeds.forEach((name, bytes) -> named.put("seed-" + name, bytes));
        corpus.put(dir, named);
    }

    /** What the ESTABLISHED pair's wire carries, as seen by R (I's messages, and R's own reflected). */
    public static Map<String, byte[]> realDatagrams() {
        Map<String, byte[]> real = new LinkedHashMap<>();
        try (PeerPair pair = new PeerPair(PeerPair.Start.ESTABLISHED)) {
            real.put("initiation", pair.wire().get("initiation"));
            real.put("rekey-response", pair.wire().get("rekey-response"));
            real.put("cookie-reply", ProtocolFixtures.cookieReplyTo(PeerPair.PUBLIC_I, pair.wire().get("rekey-initiation"),
                    PeerPair.ADDRESS_R));
            PeerPair.Peer i = pair.initiator();
            i.outbox().clear();
            i.sendPacket(DatagramAccounting.ipv4(PeerPair.TUNNEL_I, PeerPair.TUNNEL_R, 0x11, 100));
            real.put("transport-data", last(i));
            i.sendPacket(DatagramAccounting.ipv4(PeerPair.TUNNEL_I, PeerPair.TUNNEL_R, 0x22, 1400));
            real.put("transport-data-full-mtu", last(i));
            i.session().onControl(ControlCommand.KEEPALIVE, pair.nowNanos());
            real.put("keepalive", last(i));
            i.sendPacket(DatagramAccounting.ipv4("10.77.0.1", PeerPair.TUNNEL_R, 0x33, 40));
            real.put("transport-disallowed-source", last(i));
            real.put("reflected-rekey-initiation", pair.wire().get("rekey-initiation"));
            pair.responder().session().onControl(ControlCommand.KEEPALIVE, pair.nowNanos());
            real.put("reflected-keepalive", last(pair.responder()));
        }
        return real;
    }

    private static byte[] last(PeerPair.Peer peer) {
        List<PeerPair.Datagram> outbox = peer.outbox();
        if (outbox.isEmpty()) {
            throw new IllegalStateException("the peer sent nothing");
        }
        return outbox.getLast().bytes();
    }

    static Map<String, byte[]> edgeCases() {
        Map<String, byte[]> edges = new LinkedHashMap<>();
        edges.put("empty", new byte[0]);
        edges.put("one-byte", new byte[] {1});
        edges.put("two-bytes", new byte[] {1, 0});
        edges.put("three-bytes", new byte[] {1, 0, 0});
        edges.put("type-initiation-only", new byte[] {1, 0, 0, 0});
        edges.put("type-transport-only", new byte[] {4, 0, 0, 0});
        for (int size : new int[] {WireGuardSpec.INITIATION_BYTES, WireGuardSpec.RESPONSE_BYTES,
                WireGuardSpec.COOKIE_REPLY_BYTES, WireGuardSpec.KEEPALIVE_BYTES}) {
            edges.put("junk-" + size, junk(size));
        }
        edges.put("typed-junk-148", typed(junk(WireGuardSpec.INITIATION_BYTES), WireGuardSpec.MESSAGE_INITIATION));
        edges.put("typed-junk-92", typed(junk(WireGuardSpec.RESPONSE_BYTES), WireGuardSpec.MESSAGE_RESPONSE));
        edges.put("typed-junk-64", typed(junk(WireGuardSpec.COOKIE_REPLY_BYTES), WireGuardSpec.MESSAGE_COOKIE_REPLY));
        edges.put("typed-junk-32", typed(junk(WireGuardSpec.KEEPALIVE_BYTES), WireGuardSpec.MESSAGE_TRANSPORT));
        edges.put("typed-junk-2047", typed(junk(2047), WireGuardSpec.MESSAGE_TRANSPORT));
        edges.put("junk-2048", junk(2048));
        edges.put("junk-65507", junk(65507));
        return edges;
    }

    /** {@code size} pseudo-random bytes, the same on every run. */
    public static byte[] junk(int size) {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return bytes;
    }

    private static byte[] typed(byte[] bytes, int type) {
        bytes[0] = (byte) type;
        bytes[1] = 0;
        bytes[2] = 0;
        bytes[3] = 0;
        return bytes;
    }

    // ------------------------------------------------------------------ sequence scripts

    /** One record of a sequence input (see {@link DatagramFuzzTest}). */
    record Step(int source, int advanceCode, byte[] datagram) {
    }

    static byte[] script(Step... steps) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Step step : steps) {
            out.write(step.advanceCode() << 2 | step.source());
            out.write(step.datagram().length >>> 8);
            out.write(step.datagram().length);
            out.writeBytes(step.datagram());
        }
        return out.toByteArray();
    }

    /** Advance codes (see {@link DatagramFuzzTest#advanceNanos}): about 1 s, 7.5 s, 213 s, 651 s. */
    static final int ONE_SECOND = 31;
    static final int SEVEN_SECONDS = 40;
    static final int PAST_REJECT_AFTER_TIME = 55;
    static final int PAST_ZERO_KEY_MATERIAL = 60;

    private static Map<String, byte[]> freshSequences(Map<String, byte[]> real, Map<String, byte[]> edges) {
        byte[] initiation = real.get("initiation");
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("initiation", script(new Step(0, 0, initiation)));
        seeds.put("initiation-replayed", script(new Step(0, 0, initiation), new Step(2, 0, initiation)));
        Step[] flood = new Step[80];
        for (int k = 0; k < flood.length; k++) {
            flood[k] = new Step(2 + (k & 1), 0, initiation);
        }
        seeds.put("flood-from-strangers", script(flood));
        seeds.put("initiation-after-a-second", script(new Step(0, ONE_SECOND, initiation)));
        seeds.put("edges", script(new Step(0, 0, edges.get("empty")), new Step(1, 0, edges.get("one-byte")),
                new Step(2, 0, edges.get("typed-junk-148")), new Step(3, 0, edges.get("typed-junk-32"))));
        seeds.put("everything-once", script(real.values().stream().map(d -> new Step(0, 0, d)).toArray(Step[]::new)));
        return seeds;
    }

    private static Map<String, byte[]> establishedSequences(Map<String, byte[]> real, Map<String, byte[]> edges) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("rekey-response", script(new Step(0, 0, real.get("rekey-response"))));
        seeds.put("cookie-then-response", script(new Step(0, 0, real.get("cookie-reply")),
                new Step(0, 0, real.get("rekey-response"))));
        seeds.put("data-replayed", script(new Step(0, 0, real.get("transport-data")),
                new Step(0, 0, real.get("transport-data-full-mtu")), new Step(0, 0, real.get("transport-data"))));
        seeds.put("data-after-reject-after-time", script(new Step(0, PAST_REJECT_AFTER_TIME, real.get("transport-data"))));
        seeds.put("roaming-to-ipv6", script(new Step(3, 0, real.get("transport-data"))));
        seeds.put("old-initiation", script(new Step(0, 0, real.get("initiation"))));
        seeds.put("reflected", script(new Step(0, 0, real.get("reflected-rekey-initiation")),
                new Step(0, 0, real.get("reflected-keepalive"))));
        seeds.put("timers", script(new Step(0, SEVEN_SECONDS, real.get("keepalive")),
                new Step(0, SEVEN_SECONDS, real.get("transport-disallowed-source")),
                new Step(0, PAST_ZERO_KEY_MATERIAL, edges.get("empty"))));
        seeds.put("everything-once", script(real.values().stream().map(d -> new Step(0, 0, d)).toArray(Step[]::new)));
        return seeds;
    }

    // ------------------------------------------------------------------ message-level targets

    private static Map<String, byte[]> initiations(Map<String, byte[]> real, Map<String, byte[]> edges) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] initiation = ProtocolFixtures.initiated().initiation();
        seeds.put("initiation", initiation);
        seeds.put("session-initiation", real.get("initiation"));
        byte[] zeroEphemeral = initiation.clone();
        java.util.Arrays.fill(zeroEphemeral, 8, 40, (byte) 0); // a low-order point: DH gives zero
        seeds.put("zero-ephemeral", zeroEphemeral);
        seeds.put("typed-junk-148", edges.get("typed-junk-148"));
        return seeds;
    }

    private static Map<String, byte[]> responses(Map<String, byte[]> edges) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] response = ProtocolFixtures.responseTo(ProtocolFixtures.initiated().initiation());
        seeds.put("response", response);
        byte[] zeroEphemeral = response.clone();
        java.util.Arrays.fill(zeroEphemeral, 12, 44, (byte) 0);
        seeds.put("zero-ephemeral", zeroEphemeral);
        seeds.put("typed-junk-92", edges.get("typed-junk-92"));
        return seeds;
    }

    private static Map<String, byte[]> cookieReplies(Map<String, byte[]> edges) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("cookie-reply", ProtocolFixtures.cookieReplyTo(PeerPair.PUBLIC_R, ProtocolFixtures.initiated().initiation(),
                PeerPair.ADDRESS_I));
        seeds.put("typed-junk-64", edges.get("typed-junk-64"));
        return seeds;
    }

    private static Map<String, byte[]> transports(Map<String, byte[]> edges) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        ProtocolFixtures.Keypairs keypairs = ProtocolFixtures.keypairs();
        TransportCipher cipher = new TransportCipher();
        seeds.put("data", ProtocolFixtures.seal(cipher, keypairs.initiator(),
                DatagramAccounting.ipv4(PeerPair.TUNNEL_I, PeerPair.TUNNEL_R, 0x11, 80)));
        seeds.put("keepalive", ProtocolFixtures.seal(cipher, keypairs.initiator(), new byte[0]));
        seeds.put("data-full-mtu", ProtocolFixtures.seal(cipher, keypairs.initiator(),
                DatagramAccounting.ipv4(PeerPair.TUNNEL_I, PeerPair.TUNNEL_R, 0x22, 1400)));
        byte[] wrongTag = seeds.get("data").clone();
        wrongTag[wrongTag.length - 1] ^= 1;
        seeds.put("data-wrong-tag", wrongTag);
        seeds.put("typed-junk-32", edges.get("typed-junk-32"));
        return seeds;
    }

    private static Map<String, byte[]> randoms(int... sizes) {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (int size : sizes) {
            seeds.put("random-" + size, junk(size));
        }
        return seeds;
    }
}
