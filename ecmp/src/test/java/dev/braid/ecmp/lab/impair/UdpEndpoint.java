package dev.braid.ecmp.lab.impair;

import dev.braid.ecmp.NamespaceThread;
import dev.braid.ecmp.lab.Netns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A test's UDP socket inside a lab namespace: sends numbered, timestamped datagrams and collects
 * what arrives on a background thread. Payload: int sequence, long send time (System.nanoTime of
 * this JVM, so the receiver can compute the one-way delay), padding.
 */
final class UdpEndpoint implements AutoCloseable {
    record Received(int sequence, long delayNanos, SocketAddress from) {
    }

    private final DatagramSocket socket;
    private final List<Received> received = new ArrayList<>();
    private final Thread collector;
    private volatile boolean open = true;

    private UdpEndpoint(DatagramSocket socket) {
        this.socket = socket;
        this.collector = Thread.ofPlatform().daemon().name("udp-endpoint-" + socket.getLocalSocketAddress())
                .start(this::collect);
    }

    static UdpEndpoint bind(Netns ns, String address, int port) {
        try (NamespaceThread inside = NamespaceThread.enter(ns.name())) {
            return new UdpEndpoint(inside.call(() -> {
                DatagramSocket s = new DatagramSocket(null);
                s.setReceiveBufferSize(4 << 20);
                s.setSoTimeout(100);
                s.bind(new InetSocketAddress(address, port));
                return s;
            }));
        }
    }

    /** Sends {@code count} datagrams numbered from {@code first}, in bursts of 100 with a 2 ms pause. */
    void sendPaced(InetSocketAddress to, int first, int count, int sizeBytes) throws IOException {
        byte[] payload = new byte[sizeBytes];
        DatagramPacket packet = new DatagramPacket(payload, sizeBytes, to);
        for (int i = 0; i < count; i++) {
            ByteBuffer.wrap(payload).putInt(first + i).putLong(System.nanoTime());
            socket.send(packet);
            if (i % 100 == 99) {
                Netns.sleep(2);
            }
        }
    }

    private void collect() {
        byte[] buffer = new byte[65536];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        while (open) {
            try {
                packet.setLength(buffer.length);
                socket.receive(packet);
                long now = System.nanoTime();
                ByteBuffer b = ByteBuffer.wrap(buffer, 0, packet.getLength());
                int sequence = b.getInt();
                long sentAt = b.getLong();
                synchronized (received) {
                    received.add(new Received(sequence, now - sentAt, packet.getSocketAddress()));
                }
            } catch (SocketTimeoutException e) {
                // look at the open flag again
            } catch (IOException e) {
                return;
            }
        }
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    int receivedCount() {
        synchronized (received) {
            return received.size();
        }
    }

    /** Waits (bounded) until {@code count} datagrams have arrived; returns whether they did. */
    boolean awaitCount(int count, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        while (receivedCount() < count && System.nanoTime() < end) {
            Netns.sleep(10);
        }
        return receivedCount() >= count;
    }

    @Override
    public void close() {
        open = false;
        socket.close();
        try {
            collector.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
