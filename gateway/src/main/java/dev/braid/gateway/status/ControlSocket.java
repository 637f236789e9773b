package dev.braid.gateway.status;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The supervisor's local control socket, {@code <state dir>/control.sock}: a Unix stream socket
 * readable and writable by its owner (root) only, so `braid status` needs no TCP port and no
 * password. Protocol: the client sends one line ("status"), the server answers with the site's
 * status as one JSON document and closes.
 */
public final class ControlSocket implements AutoCloseable {
    public static final String FILE_NAME = "control.sock";
    private static final Logger LOG = LoggerFactory.getLogger(ControlSocket.class);
    /** snake_case keys, like the metric names and the config file. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    private final Path path;
    private final ServerSocketChannel server;
    private final Thread acceptor;

    private ControlSocket(Path path, ServerSocketChannel server, Callable<SiteStatus> status) {
        this.path = path;
        this.server = server;
        this.acceptor = Thread.ofPlatform().daemon().name("braid-control").start(() -> serve(status));
    }

    public static ControlSocket open(Path stateDir, Callable<SiteStatus> status) throws IOException {
        Path path = stateDir.resolve(FILE_NAME);
        Files.deleteIfExists(path); // a socket file left by a killed supervisor
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        return new ControlSocket(path, server, status);
    }

    private void serve(Callable<SiteStatus> status) {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                String request = readLine(client);
                byte[] answer;
                if (request.equals("status")) {
                    answer = JSON.writeValueAsBytes(status.call());
                } else {
                    answer = ("{\"error\": \"unknown request; send: status\"}").getBytes(StandardCharsets.UTF_8);
                }
                ByteBuffer out = ByteBuffer.wrap(answer);
                while (out.hasRemaining()) {
                    client.write(out);
                }
            } catch (java.nio.channels.ClosedChannelException e) {
                return;
            } catch (Exception e) {
                LOG.warn("control socket request failed: {}", e.toString());
            }
        }
    }

    private static String readLine(SocketChannel client) throws IOException {
        ByteBuffer in = ByteBuffer.allocate(256);
        while (in.hasRemaining()) {
            if (client.read(in) < 0) {
                break;
            }
            for (int i = 0; i < in.position(); i++) {
                if (in.get(i) == '\n') {
                    return new String(in.array(), 0, i, StandardCharsets.UTF_8).strip();
                }
            }
        }
        return new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).strip();
    }

    /** Asks a running supervisor for its status (the client side, used by `braid status`). */
    public static SiteStatus query(Path socket) throws IOException {
        try (SocketChannel c = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            c.write(ByteBuffer.wrap("status\n".getBytes(StandardCharsets.UTF_8)));
            byte[] answer = java.nio.channels.Channels.newInputStream(c).readAllBytes();
            return JSON.readValue(answer, SiteStatus.class);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            acceptor.join(2000);
            Files.deleteIfExists(path);
        } catch (IOException | InterruptedException e) {
            LOG.warn("closing the control socket: {}", e.toString());
        }
    }
}
