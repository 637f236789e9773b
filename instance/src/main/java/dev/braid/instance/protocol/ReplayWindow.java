package dev.braid.instance.protocol;

/**
 * The receive-side replay filter of one keypair: RFC 6479's sliding window as in the Linux driver
 * and wireguard-go's {@code replay} package, so Braid accepts exactly what they accept. A ring of
 * 128 64-bit blocks (8192 bits) remembers counters; one block is "redundant" so the window can
 * slide by whole blocks, leaving a window of 8128 counters behind the greatest one seen. Counters
 * at or above REJECT_AFTER_MESSAGES are always refused. Counters are unsigned 64-bit.
 * Call {@link #validate} only after the packet has authenticated, or a forger could move the window.
 * Allocation free; not thread-safe (one worker thread owns it).
 */
public final class ReplayWindow {
    private static final int BLOCK_BITS_LOG = 6;
    private static final int BLOCK_BITS = 1 << BLOCK_BITS_LOG;
    private static final int TOTAL_BITS = 8192;
    private static final int BLOCK_COUNT = TOTAL_BITS / BLOCK_BITS;
    /** How far behind the greatest counter seen a counter may be and still be accepted (once). */
    public static final long WINDOW_SIZE = TOTAL_BITS - BLOCK_BITS;

    private final long[] blocks = new long[BLOCK_COUNT];
    private long greatest;

    /** True (and the counter remembered) the first time an acceptable counter is seen; false for replays and stale counters. */
    public boolean validate(long counter) {
        if (Long.compareUnsigned(counter, WireGuardSpec.REJECT_AFTER_MESSAGES) >= 0) {
            return false;
        }
        long blockIndex = counter >>> BLOCK_BITS_LOG;
        if (Long.compareUnsigned(counter, greatest) > 0) {
            long currentBlock = greatest >>> BLOCK_BITS_LOG;
            // Both block indices are below 2^58, so the difference is a small non-negative long.
            long blocksToClear = Math.min(blockIndex - currentBlock, BLOCK_COUNT);
            for (long i = 1; i <= blocksToClear; i++) {
                blocks[(int) ((currentBlock + i) & (BLOCK_COUNT - 1))] = 0;
            }
            greatest = counter;
        } else if (Long.compareUnsigned(greatest - counter, WINDOW_SIZE) > 0) {
            return false;
        }
        int block = (int) (blockIndex & (BLOCK_COUNT - 1));
        long bit = 1L << (counter & (BLOCK_BITS - 1));
        long old = blocks[block];
        blocks[block] = old | bit;
        return (old & bit) == 0;
    }

    public void reset() {
        greatest = 0;
        java.util.Arrays.fill(blocks, 0);
    }
}
