package dev.braid.instance.worker;

/**
 * The session's side of the TUN device: whole IP packets in and out. The real one is over a
 * {@link dev.braid.instance.tun.TunDevice}; tests use an in-memory one.
 */
public interface TunPort {
    /** Reads one packet into {@code dst[offset..]}; returns its length, or 0 when none is waiting. */
    int read(byte[] dst, int offset, int capacity);

    /** Writes one packet; false when the kernel refused it (counted as a drop by the caller). */
    boolean write(byte[] src, int offset, int length);
}
