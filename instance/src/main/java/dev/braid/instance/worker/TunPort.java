package dev.braid.instance.worker;

/**
 * The session's side of the TUN device: whole IP packets in and out. The real one is over a
 * {@link dev.braid.instance.tun.TunDevice}; tests use an in-memory one.
 */
public interface TunPort {
    /** What {@link #read} returns for a packet larger than the capacity offered (it is consumed). */
    int TOO_BIG = -1;

    /**
     * Reads one packet into {@code dst[offset..]}; returns its length, 0 when none is waiting, or
     * {@link #TOO_BIG}.
     */
    int read(byte[] dst, int offset, int capacity);

    /** Writes one packet (perhaps held until {@link #flush}); false when it was refused. */
    boolean write(byte[] src, int offset, int length);

    /** Writes whatever {@link #write} held back; called at the end of every receive batch. */
    default void flush() {
    }
}
