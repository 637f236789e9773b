package dev.braid.instance.worker;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.braid.instance.counters.Counter;
import dev.braid.instance.counters.CountersFile;
import dev.braid.instance.offload.TcpCoalescer;
import dev.braid.instance.offload.TcpSegmenter;
import dev.braid.instance.tun.TunDevice;

/**
 * {@link TunPort} over a TUN opened with IFF_VNET_HDR and TSO/USO offloads — what moved userspace
 * WireGuard past 10 Gbit/s. Reading: one read brings a TCP (or UDP) super-packet of up to 64 KB;
 * {@link TcpSegmenter} cuts it into MTU-sized packets with finished checksums, and {@link #read}
 * hands them out one at a time, so the session encrypts each exactly as it would a plain read.
 * Writing: decrypted packets go to a {@link TcpCoalescer}, which joins consecutive segments of a TCP
 * flow into one super-packet for one write (GRO); {@link #flush} at the end of each receive batch
 * writes what it holds. Everything is preallocated.
 */
final class OffloadTunPort implements TunPort {
    /** wireguard-go's batch size; coalescing is limited by how many packets a batch holds. */
    static final int COALESCE_PACKETS = 128;
    static final int COALESCE_FLOWS = 64;

    private final TunDevice tun;
    private final CountersFile counters;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(TcpSegmenter.READ_BUFFER_BYTES);
    private final TcpSegmenter segmenter;
    private final TcpCoalescer coalescer;
    private final byte[] oversize = new byte[TcpSegmenter.READ_BUFFER_BYTES];

    OffloadTunPort(TunDevice tun, int mtuBytes, CountersFile counters) {
        this.tun = tun;
        this.counters = counters;
        this.segmenter = new TcpSegmenter(mtuBytes);
        this.coalescer = new TcpCoalescer(COALESCE_PACKETS, mtuBytes, COALESCE_FLOWS, this::writeToTun);
    }

    @Override
    public int read(byte[] dst, int offset, int capacity) {
        while (!segmenter.hasNext()) {
            int n;
            try {
                n = tun.fd().read(readBuffer, 0, readBuffer.capacity());
            } catch (IOException e) {
                return 0;
            }
            if (n <= 0) {
                return 0;
            }
            int segments = segmenter.begin(readBuffer, 0, n);
            if (segments < 0) {
                // a read the kernel should never hand out; counted, and the next read is tried
                counters.increment(Counter.DROP_MALFORMED_TUN_PACKET);
            }
        }
        if (segmenter.nextLength() > capacity) {
            segmenter.next(oversize, 0);
            return TOO_BIG;
        }
        return segmenter.next(dst, offset);
    }

    @Override
    public boolean write(byte[] src, int offset, int length) {
        // refused (not IP) never happens here: the session only writes checked IP packets
        return coalescer.offer(src, offset, length) != TcpCoalescer.REFUSED;
    }

    @Override
    public void flush() {
        coalescer.flush();
    }

    private void writeToTun(ByteBuffer packet, int length) {
        try {
            tun.fd().write(packet, 0, length);
        } catch (IOException e) {
            counters.increment(Counter.DROP_TUN_WRITE_FAILED);
        }
    }
}
