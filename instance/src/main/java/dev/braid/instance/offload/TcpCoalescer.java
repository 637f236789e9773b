package dev.braid.instance.offload;

import static dev.braid.instance.offload.PacketBytes.IPV4_CHECKSUM;
import static dev.braid.instance.offload.PacketBytes.IPV4_DONT_FRAGMENT;
import static dev.braid.instance.offload.PacketBytes.IPV4_FLAGS_FRAGMENT;
import static dev.braid.instance.offload.PacketBytes.IPV4_ID;
import static dev.braid.instance.offload.PacketBytes.IPV4_MF_AND_OFFSET;
import static dev.braid.instance.offload.PacketBytes.IPV4_MIN_HEADER;
import static dev.braid.instance.offload.PacketBytes.IPV4_PROTOCOL;
import static dev.braid.instance.offload.PacketBytes.IPV4_TOTAL_LENGTH;
import static dev.braid.instance.offload.PacketBytes.IPV4_TTL;
import static dev.braid.instance.offload.PacketBytes.IPV6_HEADER;
import static dev.braid.instance.offload.PacketBytes.IPV6_HOP_LIMIT;
import static dev.braid.instance.offload.PacketBytes.IPV6_NEXT_HEADER;
import static dev.braid.instance.offload.PacketBytes.IPV6_PAYLOAD_LENGTH;
import static dev.braid.instance.offload.PacketBytes.MAX_IP_PACKET;
import static dev.braid.instance.offload.PacketBytes.TCP_ACK_FLAG;
import static dev.braid.instance.offload.PacketBytes.TCP_CHECKSUM;
import static dev.braid.instance.offload.PacketBytes.TCP_DATA_OFFSET;
import static dev.braid.instance.offload.PacketBytes.TCP_FLAGS;
import static dev.braid.instance.offload.PacketBytes.TCP_MIN_HEADER;
import static dev.braid.instance.offload.PacketBytes.TCP_PSH;
import static dev.braid.instance.offload.PacketBytes.TCP_SEQ;
import static dev.braid.instance.offload.PacketBytes.TCP_WINDOW;

import java.nio.ByteBuffer;

/**
 * The receive side of TUN offloads (GRO in user space): the worker offers each decrypted IP packet of a
 * batch; TCP segments of one flow that continue each other are chained into one super-packet, written
 * to the TUN with one syscall behind a virtio_net_hdr (GSO_TCPV4/TCPV6, gso_size, NEEDS_CSUM with the
 * pseudo-header sum in the TCP checksum field), and the kernel takes it as if its own GRO had built it.
 * Everything else — UDP, ICMP, TCP with other flags or no payload, IPv4 options or fragments, IPv6
 * extension headers, segments with a bad checksum, flows beyond the table — goes out unchanged behind
 * an all-zero header (GSO_NONE).
 *
 * <p>Flow: {@link #offer} copies the packet into a preallocated arena and either starts an entry
 * (its place in the output order is its arrival) or links it to an earlier entry of its flow.
 * {@link #flush} — the worker calls it at the end of each receive batch, and it runs by itself when
 * the arena is full — walks the entries in arrival order and hands each to the {@link TunPacketSink}
 * from one reused direct buffer, then forgets the batch.
 *
 * <p>Rules for joining a segment to an entry (those of wireguard-go, which match the kernel's GRO
 * self-tests, plus the kernel's equal-window and IPv4-identification rules): same flow = same
 * addresses, ports and ACK number; same IPv4 TOS, TTL and DF / IPv6 version-class-flow-label word and
 * hop limit; same TCP header length, options and window; flags exactly ACK or ACK|PSH; without DF,
 * IPv4 identifications counting up by one; sequence numbers contiguous (appended after the entry, or
 * put in front of it); every segment but the last exactly gso_size (the first one's payload) and the
 * last no larger; PSH only on the last; at most 65535 bytes of IP packet. Both TCP checksums
 * are verified before a join, since the kernel trusts a NEEDS_CSUM packet: a damaged segment must
 * reach it alone, to be dropped there. The IPv4 header checksum of the result is updated
 * incrementally, so a damaged header still fails the kernel's check.
 *
 * <p>Allocation-free after construction; one instance per worker thread, not thread-safe.
 */
public final class TcpCoalescer {
    /** {@link #offer} outcomes. */
    public static final int REFUSED = -1;
    public static final int PASSED_THROUGH = 0;
    public static final int HELD = 1;
    public static final int COALESCED = 2;

    private static final int ROLE_PASS = 0;
    private static final int ROLE_ENTRY = 1;
    private static final int ROLE_MERGED = 2;
    private static final byte UNCHECKED = 0;
    private static final byte VALID = 1;
    private static final byte INVALID = -1;

    private final int maxPackets;
    private final int maxPacketBytes;
    private final TunPacketSink sink;
    private final byte[] arena;
    private final ByteBuffer out;
    private final VirtioNetHeader outHeader = new VirtioNetHeader();

    // per packet, by arrival index
    private final int[] packetAt;
    private final int[] packetLength;
    private final int[] role;
    private final int[] next;
    private final int[] ipHeaderLength;
    private final int[] tcpHeaderLength;
    private final int[] payloadLength;
    private final int[] seq;
    private final boolean[] psh;
    private final byte[] checksumState;
    // per entry, indexed by the packet that started it
    private final int[] head;
    private final int[] tail;
    private final int[] segments;
    private final int[] entryPayload;
    private final int[] gsoSize;
    private final int[] entrySeq;
    private final int[] tailPayload;
    private final boolean[] tailPsh;
    private final int[] previousOfFlow;
    private final TcpFlowTable flows;

    private int packetCount;
    private int arenaUsed;

    private long packetsOffered;
    private long packetsCoalesced;
    private long writes;
    private long superPacketWrites;
    private long segmentsInSuperPackets;
    private long checksumFailures;
    private long flowTableFull;

    /**
     * @param maxPackets     packets held before a flush is forced (the receive batch, e.g. 64)
     * @param maxPacketBytes the largest IP packet that will be offered (the tunnel MTU)
     * @param maxFlows       TCP flows tracked per batch; segments of further flows pass through
     * @param sink           takes each packet ready for the TUN
     */
    public TcpCoalescer(int maxPackets, int maxPacketBytes, int maxFlows, TunPacketSink sink) {
        if (maxPackets < 1 || maxPacketBytes < IPV4_MIN_HEADER || maxPacketBytes > MAX_IP_PACKET || maxFlows < 0) {
            throw new IllegalArgumentException("maxPackets " + maxPackets + " must be ≥ 1, maxPacketBytes "
                    + maxPacketBytes + " 20..65535, maxFlows " + maxFlows + " ≥ 0");
        }
        this.maxPackets = maxPackets;
        this.maxPacketBytes = maxPacketBytes;
        this.sink = sink;
        this.arena = new byte[Math.multiplyExact(maxPackets, maxPacketBytes)];
        this.out = ByteBuffer.allocateDirect(VirtioNetHeader.LENGTH + MAX_IP_PACKET);
        outHeader.wrap(out, 0);
        packetAt = new int[maxPackets];
        packetLength = new int[maxPackets];
        role = new int[maxPackets];
        next = new int[maxPackets];
        ipHeaderLength = new int[maxPackets];
        tcpHeaderLength = new int[maxPackets];
        payloadLength = new int[maxPackets];
        seq = new int[maxPackets];
        psh = new boolean[maxPackets];
        checksumState = new byte[maxPackets];
        head = new int[maxPackets];
        tail = new int[maxPackets];
        segments = new int[maxPackets];
        entryPayload = new int[maxPackets];
        gsoSize = new int[maxPackets];
        entrySeq = new int[maxPackets];
        tailPayload = new int[maxPackets];
        tailPsh = new boolean[maxPackets];
        previousOfFlow = new int[maxPackets];
        flows = new TcpFlowTable(maxFlows);
    }

    /**
     * Takes one IP packet, {@code src[offset, offset+length)} exactly (no padding), copying it. Returns
     * {@link #PASSED_THROUGH}, {@link #HELD} (may be joined by later segments) or {@link #COALESCED}
     * (joined to an earlier one). A packet longer than maxPacketBytes is written at once, after
     * flushing what is held, so that order is kept; an empty one or one over 65535 bytes is
     * {@link #REFUSED} (nothing a TUN would take).
     */
    public int offer(byte[] src, int offset, int length) {
        if (length < 1 || length > MAX_IP_PACKET) {
            return REFUSED;
        }
        packetsOffered++;
        if (length > maxPacketBytes) {
            flush();
            writeDirect(src, offset, length);
            return PASSED_THROUGH;
        }
        if (packetCount == maxPackets || arena.length - arenaUsed < length) {
            flush();
        }
        int p = packetCount++;
        System.arraycopy(src, offset, arena, arenaUsed, length);
        packetAt[p] = arenaUsed;
        packetLength[p] = length;
        arenaUsed += length;
        next[p] = -1;
        if (!parseCandidate(p)) {
            role[p] = ROLE_PASS;
            return PASSED_THROUGH;
        }
        int flow = flows.findOrAdd(arena, packetAt[p], ipHeaderLength[p]);
        if (flow < 0) {
            flowTableFull++;
            role[p] = ROLE_PASS;
            return PASSED_THROUGH;
        }
        for (int e = flows.lastEntry(flow); e >= 0; e = previousOfFlow[e]) {
            int joined = tryJoin(e, p);
            if (joined > 0) {
                role[p] = ROLE_MERGED;
                packetsCoalesced++;
                return COALESCED;
            }
            if (joined < 0) {
                role[p] = ROLE_PASS;
                return PASSED_THROUGH;
            }
        }
        role[p] = ROLE_ENTRY;
        head[p] = p;
        tail[p] = p;
        segments[p] = 1;
        entryPayload[p] = payloadLength[p];
        gsoSize[p] = payloadLength[p];
        entrySeq[p] = seq[p];
        tailPayload[p] = payloadLength[p];
        tailPsh[p] = psh[p];
        previousOfFlow[p] = flows.lastEntry(flow);
        flows.setLastEntry(flow, p);
        return HELD;
    }

    /** Writes everything held, in arrival order, and starts a new batch. */
    public void flush() {
        for (int p = 0; p < packetCount; p++) {
            if (role[p] == ROLE_PASS || role[p] == ROLE_ENTRY && segments[p] == 1) {
                writeDirect(arena, packetAt[p], packetLength[p]);
            } else if (role[p] == ROLE_ENTRY) {
                writeSuperPacket(p);
            }
        }
        packetCount = 0;
        arenaUsed = 0;
        flows.clear();
    }

    /** Fills the per-packet fields and says whether the packet may be coalesced at all. */
    private boolean parseCandidate(int p) {
        byte[] a = arena;
        int o = packetAt[p];
        int length = packetLength[p];
        if (length < IPV4_MIN_HEADER + TCP_MIN_HEADER) {
            return false;
        }
        int ipLength;
        int version = (a[o] & 0xf0) >>> 4;
        if (version == 4) {
            // IPv4 options are rare and would have to match too: not worth it
            if ((a[o] & 0x0f) != 5 || PacketBytes.u16(a, o + IPV4_TOTAL_LENGTH) != length
                    || (PacketBytes.u16(a, o + IPV4_FLAGS_FRAGMENT) & IPV4_MF_AND_OFFSET) != 0
                    || a[o + IPV4_PROTOCOL] != Checksums.PROTOCOL_TCP) {
                return false;
            }
            ipLength = IPV4_MIN_HEADER;
        } else if (version == 6) {
            if (length < IPV6_HEADER + TCP_MIN_HEADER || PacketBytes.u16(a, o + IPV6_PAYLOAD_LENGTH) + IPV6_HEADER != length
                    || a[o + IPV6_NEXT_HEADER] != Checksums.PROTOCOL_TCP) {
                return false;
            }
            ipLength = IPV6_HEADER;
        } else {
            return false;
        }
        int t = o + ipLength;
        int tcpLength = ((a[t + TCP_DATA_OFFSET] & 0xf0) >>> 4) * 4;
        if (tcpLength < TCP_MIN_HEADER || ipLength + tcpLength >= length) {
            return false; // a bad header, or no payload (a pure ACK has nothing to join)
        }
        int flags = a[t + TCP_FLAGS] & 0xff;
        if (flags != TCP_ACK_FLAG && flags != (TCP_ACK_FLAG | TCP_PSH)) {
            return false;
        }
        ipHeaderLength[p] = ipLength;
        tcpHeaderLength[p] = tcpLength;
        payloadLength[p] = length - ipLength - tcpLength;
        seq[p] = PacketBytes.i32(a, t + TCP_SEQ);
        psh[p] = flags != TCP_ACK_FLAG;
        checksumState[p] = UNCHECKED;
        return true;
    }

    /** 1 if p joined entry e, 0 if it cannot, -1 if p's checksum is bad (p then goes out alone). */
    private int tryJoin(int e, int p) {
        int h = head[e];
        if (checksumState[h] == INVALID || !sameHeaders(h, p)) {
            return 0;
        }
        int headers = ipHeaderLength[p] + tcpHeaderLength[p];
        if (headers + entryPayload[e] + payloadLength[p] > MAX_IP_PACKET) {
            return 0;
        }
        boolean append = seq[p] == entrySeq[e] + entryPayload[e];
        if (append) {
            if (tailPsh[e] || tailPayload[e] < gsoSize[e] || payloadLength[p] > gsoSize[e]) {
                return 0;
            }
        } else if (seq[p] + payloadLength[p] == entrySeq[e]) {
            if (psh[p] || (segments[e] == 1 ? payloadLength[p] < gsoSize[e] : payloadLength[p] != gsoSize[e])) {
                return 0;
            }
        } else {
            return 0;
        }
        if (!identificationContinues(append ? tail[e] : p, append ? p : h)) {
            return 0;
        }
        if (!checksumValid(h)) {
            return 0;
        }
        if (!checksumValid(p)) {
            return -1;
        }
        if (append) {
            next[tail[e]] = p;
            tail[e] = p;
            tailPayload[e] = payloadLength[p];
            tailPsh[e] = psh[p];
        } else {
            next[p] = h;
            head[e] = p;
            entrySeq[e] = seq[p];
            gsoSize[e] = payloadLength[p];
        }
        segments[e]++;
        entryPayload[e] += payloadLength[p];
        return 1;
    }

    /**
     * An IPv4 packet that may be fragmented (DF clear) keeps its identification through the kernel's
     * resegmentation only if the identifications already count up by one, as the kernel's GRO requires;
     * with DF set they do not matter.
     */
    private boolean identificationContinues(int earlier, int later) {
        byte[] a = arena;
        int lo = packetAt[later];
        if (ipHeaderLength[later] == IPV6_HEADER || (a[lo + IPV4_FLAGS_FRAGMENT] & IPV4_DONT_FRAGMENT) != 0) {
            return true;
        }
        return PacketBytes.u16(a, lo + IPV4_ID) == ((PacketBytes.u16(a, packetAt[earlier] + IPV4_ID) + 1) & 0xffff);
    }

    /** The header fields that must be equal for two segments to become one (see the class comment). */
    private boolean sameHeaders(int h, int p) {
        if (tcpHeaderLength[h] != tcpHeaderLength[p]) {
            return false;
        }
        byte[] a = arena;
        int ho = packetAt[h];
        int po = packetAt[p];
        if (ipHeaderLength[p] == IPV6_HEADER) {
            if (PacketBytes.i32(a, ho) != PacketBytes.i32(a, po) || a[ho + IPV6_HOP_LIMIT] != a[po + IPV6_HOP_LIMIT]) {
                return false;
            }
        } else if (a[ho + 1] != a[po + 1] || (a[ho + IPV4_FLAGS_FRAGMENT] & 0xe0) != (a[po + IPV4_FLAGS_FRAGMENT] & 0xe0)
                || a[ho + IPV4_TTL] != a[po + IPV4_TTL]) {
            return false;
        }
        int ht = ho + ipHeaderLength[h];
        int pt = po + ipHeaderLength[p];
        return PacketBytes.u16(a, ht + TCP_WINDOW) == PacketBytes.u16(a, pt + TCP_WINDOW)
                && PacketBytes.equal(a, ht + TCP_MIN_HEADER, a, pt + TCP_MIN_HEADER, tcpHeaderLength[p] - TCP_MIN_HEADER);
    }

    private boolean checksumValid(int p) {
        if (checksumState[p] == UNCHECKED) {
            int o = packetAt[p];
            int ipLength = ipHeaderLength[p];
            int tcpLength = packetLength[p] - ipLength;
            long pseudo = Checksums.pseudoHeader(arena, o, Checksums.PROTOCOL_TCP, tcpLength);
            boolean valid = Checksums.verifies(arena, o + ipLength, tcpLength, pseudo);
            checksumState[p] = valid ? VALID : INVALID;
            if (!valid) {
                checksumFailures++;
            }
        }
        return checksumState[p] == VALID;
    }

    private void writeDirect(byte[] src, int offset, int length) {
        outHeader.setNone();
        out.put(VirtioNetHeader.LENGTH, src, offset, length);
        writes++;
        sink.write(out, VirtioNetHeader.LENGTH + length);
    }

    private void writeSuperPacket(int e) {
        byte[] a = arena;
        int h = head[e];
        int o = packetAt[h];
        int ipLength = ipHeaderLength[h];
        int headers = ipLength + tcpHeaderLength[h];
        int total = headers + entryPayload[e];
        boolean v6 = ipLength == IPV6_HEADER;
        if (v6) {
            PacketBytes.putU16(a, o + IPV6_PAYLOAD_LENGTH, total - IPV6_HEADER);
        } else {
            int oldTotal = PacketBytes.u16(a, o + IPV4_TOTAL_LENGTH);
            PacketBytes.putU16(a, o + IPV4_TOTAL_LENGTH, total);
            PacketBytes.putU16(a, o + IPV4_CHECKSUM,
                    Checksums.update16(PacketBytes.u16(a, o + IPV4_CHECKSUM), oldTotal, total));
        }
        int t = o + ipLength;
        if (tailPsh[e]) {
            a[t + TCP_FLAGS] |= (byte) TCP_PSH;
        }
        // CHECKSUM_PARTIAL as the kernel expects it: the folded pseudo-header sum, not complemented; the
        // kernel adds the header and payload and complements when it segments or checks
        long pseudo = Checksums.pseudoHeader(a, o, Checksums.PROTOCOL_TCP, total - ipLength);
        PacketBytes.putU16(a, t + TCP_CHECKSUM, Checksums.fold(pseudo));
        outHeader.set(VirtioNetHeader.FLAG_NEEDS_CSUM, v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
                headers, gsoSize[e], ipLength, VirtioNetHeader.TCP_CSUM_OFFSET);
        int at = VirtioNetHeader.LENGTH;
        out.put(at, a, o, headers);
        at += headers;
        for (int q = h; q >= 0; q = next[q]) {
            out.put(at, a, packetAt[q] + headers, payloadLength[q]);
            at += payloadLength[q];
        }
        writes++;
        superPacketWrites++;
        segmentsInSuperPackets += segments[e];
        sink.write(out, at);
    }

    /** Packets given to {@link #offer}. */
    public long packetsOffered() {
        return packetsOffered;
    }

    /** Offered packets that were joined to an earlier one (so saved a write). */
    public long packetsCoalesced() {
        return packetsCoalesced;
    }

    /** Packets handed to the sink (super-packets and single ones). */
    public long writes() {
        return writes;
    }

    /** Writes that were GSO super-packets. */
    public long superPacketWrites() {
        return superPacketWrites;
    }

    /** Segments carried by those super-packets (so segments per super-packet = this / superPacketWrites). */
    public long segmentsInSuperPackets() {
        return segmentsInSuperPackets;
    }

    /** TCP segments found with a bad checksum when about to be joined (they went out alone). */
    public long checksumFailures() {
        return checksumFailures;
    }

    /** TCP segments passed through because the batch already tracked maxFlows flows. */
    public long flowTableFull() {
        return flowTableFull;
    }
}
