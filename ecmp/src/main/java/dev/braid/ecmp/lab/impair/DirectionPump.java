package dev.braid.ecmp.lab.impair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The thread of one direction. Each round it sends what the delay queue has due, then drains every
 * readable inbound socket (up to {@link #READS_PER_SOCKET} datagrams each, into one staging buffer
 * large enough for any UDP datagram, so nothing is ever silently truncated) through the
 * {@link DirectionPipeline}, which sends on the far side's socket of the same port. When a round
 * did nothing it waits: in epoll until a socket is readable when no packet is queued; when one is,
 * in epoll until about a millisecond before it is due (epoll waits in whole milliseconds), then in
 * short parks, so releases are late by well under a millisecond without spinning a core.
 *
 * <p>Steady state allocates nothing: the selector's callback form is used (no selected-key set or
 * iterator), the JDK caches the sender address of {@code receive} and the native form of a repeated
 * {@code send} target, and the staging buffer and the delay slots are allocated once.
 */
final class DirectionPump implements Runnable {
    static final int READS_PER_SOCKET = 64;
    private static final int RELEASES_PER_ROUND = 256;
    private static final long EPOLL_MARGIN_NANOS = 1_000_000;
    private static final long SHORT_PARK_NANOS = 50_000;
    private static final long IDLE_SELECT_MILLIS = 100;

    private final Direction direction;
    private final Selector selector;
    private final DirectionPipeline pipeline;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(65536);
    private final Consumer<SelectionKey> onReadable = this::drain;
    private volatile boolean running = true;
    private volatile Throwable failure;

    DirectionPump(Direction direction, DatagramChannel[] inbound, DirectionPipeline pipeline) throws IOException {
        this.direction = direction;
        this.pipeline = pipeline;
        this.selector = Selector.open();
        try {
            for (int i = 0; i < inbound.length; i++) {
                inbound[i].register(selector, SelectionKey.OP_READ, i);
            }
        } catch (IOException | RuntimeException e) {
            selector.close();
            throw e;
        }
    }

    @Override
    public void run() {
        try {
            while (running) {
                if (doWork() == 0) {
                    idle();
                }
            }
        } catch (ClosedSelectorException | ClosedChannelException e) {
            if (running) {
                failure = e;
            }
        } catch (UncheckedIOException e) {
            if (running || !(e.getCause() instanceof ClosedChannelException)) {
                failure = e.getCause();
            }
        } catch (Throwable e) {
            failure = e;
        }
    }

    /** One round: due releases, then every readable socket. Returns how much was done. */
    int doWork() throws IOException {
        int work = pipeline.releaseDue(System.nanoTime(), RELEASES_PER_ROUND);
        work += selector.selectNow(onReadable);
        return work;
    }

    private void idle() throws IOException {
        long nextDue = pipeline.nextDueNanos();
        if (nextDue == Long.MAX_VALUE) {
            selector.select(onReadable, IDLE_SELECT_MILLIS);
            return;
        }
        long waitNanos = nextDue - System.nanoTime();
        if (waitNanos <= 0) {
            return;
        }
        long epollMillis = (waitNanos - EPOLL_MARGIN_NANOS) / 1_000_000;
        if (epollMillis >= 1) {
            selector.select(onReadable, epollMillis);
        } else {
            LockSupport.parkNanos(Math.min(waitNanos, SHORT_PARK_NANOS));
        }
    }

    private void drain(SelectionKey key) {
        int portIndex = (Integer) key.attachment();
        DatagramChannel channel = (DatagramChannel) key.channel();
        try {
            for (int i = 0; i < READS_PER_SOCKET; i++) {
                staging.clear();
                if (channel.receive(staging) == null) {
                    return;
                }
                staging.flip();
                // stamped after the read, never before: a delay must not start before the datagram arrived
                pipeline.onDatagram(portIndex, staging, System.nanoTime());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Direction direction() {
        return direction;
    }

    Throwable failure() {
        return failure;
    }

    /** Asks the loop to end; the caller joins the thread and then closes the channels. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    void closeSelector() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }

    /** Sends on the outbound (far side) socket of a port, to that port at the far site. */
    static final class ChannelSender implements DirectionPipeline.DatagramSender {
        private final DatagramChannel[] outbound;
        private final InetSocketAddress[] destinations;
        private volatile IOException lastFailure;

        ChannelSender(DatagramChannel[] outbound, InetSocketAddress[] destinations) {
            this.outbound = outbound;
            this.destinations = destinations;
        }

        @Override
        public boolean send(int portIndex, ByteBuffer datagram) {
            int bytes = datagram.remaining();
            try {
                // non-blocking: 0 means the socket's send buffer is full and the datagram was not taken
                return outbound[portIndex].send(datagram, destinations[portIndex]) > 0 || bytes == 0;
            } catch (IOException e) {
                lastFailure = e;
                return false;
            }
        }

        IOException lastFailure() {
            return lastFailure;
        }
    }
}
