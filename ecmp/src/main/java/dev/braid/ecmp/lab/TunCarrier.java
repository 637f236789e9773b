package dev.braid.ecmp.lab;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import dev.braid.ecmp.NamespaceThread;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds persistent TUN devices open inside a lab namespace, as a worker does, so that they have
 * carrier (the kernel only accepts nexthops on links with carrier). {@link #detach} closes one,
 * which drops its carrier as a dying worker would; {@link #close} releases all. The TUNs must exist
 * already ({@code ip -n NS tuntap add mode tun name X}); they stay after close.
 */
public final class TunCarrier implements AutoCloseable {
    private static final int TUNSETIFF = 0x400454ca; // _IOW('T', 202, int)
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;
    private static final int IFREQ_SIZE = 40;

    interface C extends Library {
        C INSTANCE = Native.load("c", C.class);

        int open(String path, int flags) throws LastErrorException;

        int ioctl(int fd, NativeLong request, byte[] ifreq) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    private final NamespaceThread thread;
    private final Map<String, Integer> fds = new LinkedHashMap<>();

    private TunCarrier(NamespaceThread thread) {
        this.thread = thread;
    }

    /** Opens each named TUN inside {@code namespaceName}. */
    public static TunCarrier attach(String namespaceName, String... tunNames) {
        TunCarrier t = new TunCarrier(NamespaceThread.enter(namespaceName));
        try {
            for (String name : tunNames) {
                t.attach(name);
            }
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    /** Opens (again) one TUN, bringing its carrier up. */
    public synchronized void attach(String tunName) {
        if (fds.containsKey(tunName)) {
            return;
        }
        // the TUN is looked up in the namespace of the thread that opens /dev/net/tun
        int fd = thread.call(() -> {
            int f = C.INSTANCE.open("/dev/net/tun", O_RDWR | O_CLOEXEC);
            byte[] ifreq = new byte[IFREQ_SIZE];
            byte[] name = tunName.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(name, 0, ifreq, 0, Math.min(name.length, 15));
            short flags = (short) (IFF_TUN | IFF_NO_PI);
            ifreq[16] = (byte) flags; // little-endian short; the lab runs on x86_64/arm64
            ifreq[17] = (byte) (flags >> 8);
            try {
                C.INSTANCE.ioctl(f, new NativeLong(TUNSETIFF), ifreq);
            } catch (LastErrorException e) {
                C.INSTANCE.close(f);
                throw new IllegalStateException("cannot attach TUN " + tunName + " in " + thread.namespaceName()
                        + ": errno " + e.getErrorCode(), e);
            }
            return f;
        });
        fds.put(tunName, fd);
    }

    /** Closes one TUN: its carrier drops, as when its worker dies. */
    public synchronized void detach(String tunName) {
        Integer fd = fds.remove(tunName);
        if (fd != null) {
            try {
                C.INSTANCE.close(fd);
            } catch (LastErrorException ignored) {
                // already closed
            }
        }
    }

    @Override
    public synchronized void close() {
        for (String name : List.copyOf(fds.keySet())) {
            detach(name);
        }
        thread.close();
    }
}
