package dev.braid.instance.worker;

import java.io.IOException;
import java.nio.ByteBuffer;

import dev.braid.instance.tun.TunDevice;

/**
 * {@link TunPort} over a real TUN fd: reads and writes go through one preallocated direct buffer
 * each (the fd needs native memory), copied to and from the session's scratch array.
 */
final class TunDevicePort implements TunPort {
    private final TunDevice tun;
    private final ByteBuffer readBuffer;
    private final ByteBuffer writeBuffer;

    TunDevicePort(TunDevice tun, int maxPacketBytes) {
        this.tun = tun;
        this.readBuffer = ByteBuffer.allocateDirect(maxPacketBytes);
        this.writeBuffer = ByteBuffer.allocateDirect(maxPacketBytes);
    }

    @Override
    public int read(byte[] dst, int offset, int capacity) {
        int n;
        try {
            n = tun.fd().read(readBuffer, 0, Math.min(capacity + 1, readBuffer.capacity()));
        } catch (IOException e) {
            return 0;
        }
        if (n <= 0) {
            return 0;
        }
        if (n > capacity) {
            return TOO_BIG;
        }
        readBuffer.get(0, dst, offset, n);
        return n;
    }

    @Override
    public boolean write(byte[] src, int offset, int length) {
        writeBuffer.put(0, src, offset, length);
        try {
            tun.fd().write(writeBuffer, 0, length);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
