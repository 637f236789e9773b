package dev.braid.ecmp;

import static dev.braid.ecmp.Rtnl.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/**
 * The request/reply loop of one netlink socket: the caller encodes a request into {@link #writer()}
 * with a fresh {@link #nextSequence()}, then {@link #execute} (wait for the ack), {@link #get} (one
 * object back) or {@link #dump} (many objects, until NLMSG_DONE). Replies are read into one
 * preallocated receive buffer and handed to the caller's decoder in place. An NLMSG_ERROR reply
 * becomes a {@link NetlinkException} carrying the kernel's extended-ack message. Not thread-safe:
 * {@link Netlink} serialises its calls.
 */
final class NetlinkRequester {
    private static final int SEND_BUFFER_BYTES = 64 * 1024;
    private static final int RECEIVE_BUFFER_BYTES = 256 * 1024;
    private static final int MAX_DATAGRAMS_PER_REQUEST = 1_000_000;
    private static final int DUMP_ATTEMPTS = 3;

    private final NetlinkSocket socket;
    private final NetlinkMessageWriter writer;
    private final ByteBuffer receiveBuffer;
    private final NetlinkMessageReader reader = new NetlinkMessageReader();
    private int sequence = (int) (System.nanoTime() & 0x3fff_ffff);

    NetlinkRequester(NetlinkSocket socket) {
        this.socket = socket;
        this.writer = new NetlinkMessageWriter(ByteBuffer.allocateDirect(SEND_BUFFER_BYTES).order(ByteOrder.nativeOrder()));
        this.receiveBuffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER_BYTES).order(ByteOrder.nativeOrder());
    }

    NetlinkMessageWriter writer() {
        return writer;
    }

    int nextSequence() {
        sequence = (sequence + 1) & 0x7fff_ffff;
        return sequence;
    }

    /** Sends the request in the writer and waits for its ack; an error reply becomes an exception. */
    void execute(String operation, int seq) {
        send(operation);
        awaitReplies(operation, seq, -1, null, false);
    }

    /**
     * Sends a non-dump get; the object reply goes to {@code onObject}. Returns false when the
     * kernel answers with {@code absentErrno} (no such object).
     */
    boolean get(String operation, int seq, int replyType, Consumer<NetlinkMessageReader> onObject, int absentErrno) {
        send(operation);
        try {
            awaitReplies(operation, seq, replyType, onObject, false);
            return true;
        } catch (NetlinkException e) {
            if (e.errno() == absentErrno) {
                return false;
            }
            throw e;
        }
    }

    interface RequestEncoder {
        int encode(NetlinkMessageWriter writer, int seq);
    }

    /** Runs a dump; repeats it (after {@code reset}) when the kernel flags it as interrupted by a change. */
    void dump(String operation, int replyType, RequestEncoder encoder, Consumer<NetlinkMessageReader> onObject,
              Runnable reset) {
        for (int attempt = 1; ; attempt++) {
            int seq = nextSequence();
            encoder.encode(writer, seq);
            send(operation);
            boolean interrupted = awaitReplies(operation, seq, replyType, onObject, true);
            if (!interrupted) {
                return;
            }
            if (attempt == DUMP_ATTEMPTS) {
                throw new NetlinkException(operation, Errno.EAGAIN,
                        "dump kept changing under us " + DUMP_ATTEMPTS + " times");
            }
            reset.run();
        }
    }

    private void send(String operation) {
        ByteBuffer message = writer.buffer();
        socket.send(message, message.limit(), operation);
    }

    /**
     * Reads replies of request {@code seq} until its ack, error or NLMSG_DONE. Replies to other
     * sequence numbers (left over from a request that timed out) are skipped. Returns whether a
     * dump was marked interrupted.
     */
    private boolean awaitReplies(String operation, int seq, int replyType, Consumer<NetlinkMessageReader> onObject,
                                 boolean isDump) {
        boolean interrupted = false;
        int port = socket.portId();
        for (int datagrams = 0; datagrams < MAX_DATAGRAMS_PER_REQUEST; datagrams++) {
            int length = socket.receive(receiveBuffer, operation);
            reader.wrap(receiveBuffer, length);
            while (reader.next()) {
                if (reader.sequence() != seq || (reader.portId() != port && reader.portId() != 0)) {
                    continue;
                }
                if ((reader.flags() & NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                int type = reader.type();
                if (type == NLMSG_ERROR) {
                    RtnlReplies.Error error = RtnlReplies.error(reader);
                    if (error.errno() != 0) {
                        throw new NetlinkException(operation, error.errno(), error.message());
                    }
                    return interrupted; // ack
                } else if (type == NLMSG_DONE) {
                    RtnlReplies.Error error = RtnlReplies.done(reader);
                    if (error.errno() > 0) {
                        throw new NetlinkException(operation, error.errno(), error.message());
                    }
                    return interrupted;
                } else if (type == NLMSG_OVERRUN) {
                    throw new NetlinkException(operation, Errno.ENOBUFS, "kernel reported lost messages");
                } else if (type == replyType && onObject != null) {
                    onObject.accept(reader);
                    if (!isDump && (reader.flags() & NLM_F_MULTI) == 0) {
                        return false; // a single get reply is complete in itself
                    }
                }
            }
        }
        throw new NetlinkException(operation, Errno.EIO, "no end of reply after " + MAX_DATAGRAMS_PER_REQUEST
                + " datagrams");
    }
}
