package dev.braid.ecmp.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Captures UDP datagrams with tcpdump inside a lab namespace and returns their payloads, so a test
 * can replay real packets or check that the wire shows only ciphertext. Reads classic pcap files
 * of Ethernet frames (what a veth gives) carrying IPv4 + UDP.
 */
public final class PcapCapture {
    private PcapCapture() {
    }

    /** Starts tcpdump on {@code ifname}, writing at most {@code count} packets matching {@code filter}. */
    public static Process start(Netns ns, String ifname, String filter, int count, Path pcap, Path log) throws IOException {
        Process p = ns.start(List.of("tcpdump", "-i", ifname, "-U", "-n", "-c", Integer.toString(count),
                "-w", pcap.toString(), filter), log);
        // tcpdump prints "listening on" once the capture is armed
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            if (Files.exists(log) && Files.readString(log).contains("listening on")) {
                return p;
            }
            Netns.sleep(50);
        }
        throw new IOException("tcpdump did not start (see " + log + ")");
    }

    /** UDP payloads in a pcap file, in capture order. */
    public static List<byte[]> udpPayloads(Path pcap) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap));
        List<byte[]> out = new ArrayList<>();
        if (b.remaining() < 24) {
            return out;
        }
        int magic = b.order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            b.order(ByteOrder.BIG_ENDIAN);
        }
        int linkType = b.getInt(20);
        if (linkType != 1) {
            throw new IOException(pcap + ": link type " + linkType + ", expected Ethernet (1)");
        }
        int pos = 24;
        while (pos + 16 <= b.limit()) {
            int captured = b.getInt(pos + 8);
            int frame = pos + 16;
            pos = frame + captured;
            if (pos > b.limit() || captured < 14 + 20 + 8) {
                break;
            }
            int etherType = (b.get(frame + 12) & 0xff) << 8 | (b.get(frame + 13) & 0xff);
            int ip = frame + 14;
            if (etherType != 0x0800 || (b.get(ip + 9) & 0xff) != 17) {
                continue;
            }
            int ihl = (b.get(ip) & 0x0f) * 4;
            int udp = ip + ihl;
            int udpLength = (b.get(udp + 4) & 0xff) << 8 | (b.get(udp + 5) & 0xff);
            int payloadLength = Math.min(udpLength - 8, frame + captured - (udp + 8));
            byte[] payload = new byte[payloadLength];
            b.get(udp + 8, payload);
            out.add(payload);
        }
        return out;
    }
}
