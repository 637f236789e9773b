package dev.braid.instance.counters;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A worker's counters in a small memory-mapped file, so another process (the supervisor, `braid
 * status`) reads them at any moment without asking the worker. The worker's loop thread is the only
 * writer of the counter slots; it stores with release semantics and readers load with acquire, which
 * on x86-64 costs the same as plain moves. The same file carries a tiny control ring the other way:
 * the supervisor offers commands, the worker drains them on its timer tick (control reaches a worker
 * only through a queue it drains itself).
 *
 * <pre>
 * 0    u64 magic "BRAIDCTR"   8 u32 layout version   12 u32 slot count
 * 16   i64 pid                24 i64 start time (epoch ms)
 * 64   i64 control: next sequence to claim (producers, CAS)
 * 72   i64 control: next sequence to consume (worker)
 * 80   i64 control entries[16]: (sequence << 16) | command code, written after the claim
 * 256  i64 slots[SLOT_COUNT]: value of the Counter with id i
 * </pre>
 */
public final class CountersFile implements AutoCloseable {
    static final long MAGIC = 0x5254434449415242L; // "BRAIDCTR" little-endian
    static final int VERSION = 1;
    static final long OFFSET_PID = 16;
    static final long OFFSET_START = 24;
    static final long OFFSET_CONTROL_CLAIM = 64;
    static final long OFFSET_CONTROL_CONSUME = 72;
    static final long OFFSET_CONTROL_ENTRIES = 80;
    static final int CONTROL_ENTRIES = 16;
    static final long OFFSET_SLOTS = 256;
    static final long FILE_BYTES = 4096;

    static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

    private final Arena arena;
    private final MemorySegment segment;
    private final Path path;

    private CountersFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /** Creates (or truncates) the file for a starting worker and writes its header. */
    public static CountersFile create(Path path, long pid) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        CountersFile file = map(path, true);
        MemorySegment s = file.segment;
        s.fill((byte) 0);
        s.set(ValueLayout.JAVA_INT, 8, VERSION);
        s.set(ValueLayout.JAVA_INT, 12, Counter.SLOT_COUNT);
        s.set(ValueLayout.JAVA_LONG, OFFSET_PID, pid);
        s.set(ValueLayout.JAVA_LONG, OFFSET_START, System.currentTimeMillis());
        LONG.setRelease(s, 0L, MAGIC); // last: a reader that sees the magic sees a whole header
        return file;
    }

    /**
     * Opens a worker's file from another process. Fails if the file is not (yet) a counters file of
     * this layout version.
     */
    public static CountersFile open(Path path) throws IOException {
        CountersFile file = map(path, false);
        long magic = (long) LONG.getAcquire(file.segment, 0L);
        int version = file.segment.get(ValueLayout.JAVA_INT, 8);
        if (magic != MAGIC || version != VERSION) {
            file.close();
            throw new IOException(path + " is not a Braid counters file of layout version " + VERSION);
        }
        return file;
    }

    private static CountersFile map(Path path, boolean create) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = create
                ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                ch.write(java.nio.ByteBuffer.allocate(1), FILE_BYTES - 1);
            } else if (ch.size() < FILE_BYTES) {
                arena.close();
                throw new IOException(path + " is too short for a counters file");
            }
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, FILE_BYTES, arena);
            return new CountersFile(path, arena, seg);
        } catch (IOException | RuntimeException e) {
            if (arena.scope().isAlive()) {
                arena.close();
            }
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public long pid() {
        return segment.get(ValueLayout.JAVA_LONG, OFFSET_PID);
    }

    public long startEpochMillis() {
        return segment.get(ValueLayout.JAVA_LONG, OFFSET_START);
    }

    // ---- the worker side: single writer ----

    /** Adds to a counter. Only the worker's loop thread calls this. */
    public void add(Counter c, long delta) {
        long off = OFFSET_SLOTS + 8L * c.id();
        LONG.setRelease(segment, off, (long) LONG.get(segment, off) + delta);
    }

    public void increment(Counter c) {
        add(c, 1);
    }

    /** Sets a gauge. Only the worker's loop thread calls this. */
    public void set(Counter c, long value) {
        LONG.setRelease(segment, OFFSET_SLOTS + 8L * c.id(), value);
    }

    /**
     * Takes the next control command, or {@link ControlCommand#NONE}. Only the worker calls this. A
     * claimed entry whose writer has not finished yet is left for the next tick.
     */
    public ControlCommand pollCommand() {
        long next = (long) LONG.getAcquire(segment, OFFSET_CONTROL_CONSUME);
        long claimed = (long) LONG.getAcquire(segment, OFFSET_CONTROL_CLAIM);
        if (next >= claimed) {
            return ControlCommand.NONE;
        }
        long entryOff = OFFSET_CONTROL_ENTRIES + 8L * (next % CONTROL_ENTRIES);
        long entry = (long) LONG.getAcquire(segment, entryOff);
        if ((entry >>> 16) != next + 1) {
            return ControlCommand.NONE;
        }
        LONG.setRelease(segment, OFFSET_CONTROL_CONSUME, next + 1);
        return ControlCommand.byCode((int) (entry & 0xffff));
    }

    // ---- the reading side: any process ----

    public long get(Counter c) {
        return (long) LONG.getAcquire(segment, OFFSET_SLOTS + 8L * c.id());
    }

    /** A consistent copy of every slot (each value individually consistent; good enough for metrics). */
    public long[] snapshot() {
        long[] values = new long[Counter.SLOT_COUNT];
        for (int i = 0; i < values.length; i++) {
            values[i] = (long) LONG.getAcquire(segment, OFFSET_SLOTS + 8L * i);
        }
        return values;
    }

    /**
     * Offers a command to the worker. Returns false if the ring is full (the worker is not draining:
     * stuck or dead). Safe with several producers.
     */
    public boolean offer(ControlCommand command) {
        for (int attempt = 0; attempt < 100; attempt++) {
            long claim = (long) LONG.getAcquire(segment, OFFSET_CONTROL_CLAIM);
            long consumed = (long) LONG.getAcquire(segment, OFFSET_CONTROL_CONSUME);
            if (claim - consumed >= CONTROL_ENTRIES) {
                return false;
            }
            if (LONG.compareAndSet(segment, OFFSET_CONTROL_CLAIM, claim, claim + 1)) {
                long entryOff = OFFSET_CONTROL_ENTRIES + 8L * (claim % CONTROL_ENTRIES);
                LONG.setRelease(segment, entryOff, ((claim + 1) << 16) | command.code());
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
