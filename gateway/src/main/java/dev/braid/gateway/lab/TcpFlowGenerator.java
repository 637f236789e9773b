package dev.braid.gateway.lab;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import dev.braid.ecmp.NamespaceThread;

/**
 * The demo's fallback traffic when iperf3 is not installed: F TCP connections from one namespace to
 * another, each sending as fast as it can for a fixed time; the receiving side counts bytes. Sockets
 * are created by a thread that joined each namespace (a socket belongs to the namespace it was made
 * in) and then driven by ordinary threads.
 */
public final class TcpFlowGenerator {
    private static final int PORT = 5299;

    private final String serverNamespace;
    private final String serverAddress;
    private final String clientNamespace;
    private final String clientAddress;
    private final int flows;
    private final long bytesPerSecondPerFlow;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLongArray receivedPerFlow;
    private final AtomicLongArray sentPerFlow;
    private final int[] clientPorts;
    private final List<Thread> threads = new ArrayList<>();
    private ServerSocketChannel server;
    private long startNanos;
    private long endNanos;

    public TcpFlowGenerator(String serverNamespace, String serverAddress, String clientNamespace, String clientAddress,
                            int flows) {
        this(serverNamespace, serverAddress, clientNamespace, clientAddress, flows, 0);
    }

    /**
     * @param bytesPerSecondPerFlow each flow's pace, 0 for as fast as it goes. Failover tests pace their
     *                              flows so that a 100 ms without bytes means the network stalled, not
     *                              that a saturated 2-core machine did not get to that flow
     */
    public TcpFlowGenerator(String serverNamespace, String serverAddress, String clientNamespace, String clientAddress,
                            int flows, long bytesPerSecondPerFlow) {
        this.bytesPerSecondPerFlow = bytesPerSecondPerFlow;
        this.serverNamespace = serverNamespace;
        this.serverAddress = serverAddress;
        this.clientNamespace = clientNamespace;
        this.clientAddress = clientAddress;
        this.flows = flows;
        this.receivedPerFlow = new AtomicLongArray(flows);
        this.sentPerFlow = new AtomicLongArray(flows);
        this.clientPorts = new int[flows];
    }

    public void start(Duration duration) throws IOException {
        List<SocketChannel> clients = new ArrayList<>();
        try (NamespaceThread inServer = NamespaceThread.enter(serverNamespace);
             NamespaceThread inClient = NamespaceThread.enter(clientNamespace)) {
            server = inServer.call(() -> ServerSocketChannel.open().bind(new InetSocketAddress(serverAddress, PORT)));
            for (int i = 0; i < flows; i++) {
                clients.add(inClient.call(() -> {
                    SocketChannel c = SocketChannel.open();
                    c.bind(new InetSocketAddress(clientAddress, 0));
                    c.connect(new InetSocketAddress(serverAddress, PORT));
                    return c;
                }));
            }
        }
        startNanos = System.nanoTime();
        endNanos = startNanos + duration.toNanos();
        for (int i = 0; i < flows; i++) {
            SocketChannel accepted = server.accept();
            int flow = i;
            clientPorts[flow] = ((InetSocketAddress) accepted.getRemoteAddress()).getPort();
            threads.add(Thread.ofPlatform().daemon().start(() -> drain(accepted, flow)));
        }
        for (SocketChannel c : clients) {
            int localPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
            int flow = 0;
            while (flow < flows && clientPorts[flow] != localPort) {
                flow++;
            }
            int index = flow < flows ? flow : -1; // -1: not accepted (cannot happen), its bytes go uncounted
            threads.add(Thread.ofPlatform().daemon().start(() -> fill(c, index)));
        }
    }

    private void fill(SocketChannel c, int flow) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        // paced: 20 writes a second of a twentieth of the rate each
        int pacedChunk = (int) Math.max(1, bytesPerSecondPerFlow / 20);
        long sent = 0;
        try (c) {
            long now;
            while ((now = System.nanoTime()) < endNanos) {
                if (bytesPerSecondPerFlow > 0) {
                    long due = startNanos + sent * 1_000_000_000L / bytesPerSecondPerFlow;
                    if (due > now) {
                        Thread.sleep((due - now) / 1_000_000, (int) ((due - now) % 1_000_000));
                        continue;
                    }
                    chunk.clear().limit(Math.min(chunk.capacity(), pacedChunk));
                } else {
                    chunk.clear();
                }
                int n = c.write(chunk);
                sent += n;
                if (flow >= 0) {
                    sentPerFlow.addAndGet(flow, n);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the far end went away; the flow ends
        }
    }

    private void drain(SocketChannel c, int flow) {
        ByteBuffer chunk = ByteBuffer.allocateDirect(64 * 1024);
        try (c) {
            int n;
            while ((n = c.read(chunk.clear())) >= 0) {
                received.addAndGet(n);
                receivedPerFlow.addAndGet(flow, n);
            }
        } catch (IOException e) {
            // connection reset: the flow ends
        }
    }

    /** Bytes received so far on each flow. */
    public long[] receivedPerFlow() {
        return snapshot(receivedPerFlow);
    }

    /**
     * Bytes written so far on each flow (into the sender's socket). Beside {@link #receivedPerFlow}
     * it tells a flow the network held up (sent, not received) from one whose sender did not run.
     */
    public long[] sentPerFlow() {
        return snapshot(sentPerFlow);
    }

    private static long[] snapshot(AtomicLongArray counts) {
        long[] out = new long[counts.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = counts.get(i);
        }
        return out;
    }

    /** The sending side's TCP port of each flow (what a capture shows next to the client address). */
    public int[] clientPorts() {
        return clientPorts.clone();
    }

    public boolean running() {
        return threads.stream().anyMatch(Thread::isAlive);
    }

    /** Waits for every flow to end and returns the bits per second received over the run. */
    public double finish() throws InterruptedException, IOException {
        for (Thread t : threads) {
            t.join(Duration.ofSeconds(30));
        }
        server.close();
        double seconds = Math.max(1e-9, (endNanos - startNanos) / 1e9);
        return received.get() * 8 / seconds;
    }
}
