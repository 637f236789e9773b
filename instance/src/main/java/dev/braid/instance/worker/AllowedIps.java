package dev.braid.instance.worker;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The peer's allowed IPs: which inner source addresses a decrypted packet may carry (cryptokey
 * routing's receive check) and which destinations this worker encrypts for. A worker has one peer,
 * so this is a short list of prefixes scanned per packet over the packet bytes themselves — no
 * InetAddress per packet. IPv4 prefixes are kept as ints, IPv6 as two longs.
 */
public final class AllowedIps {
    private final int[] v4Network;
    private final int[] v4Mask;
    private final long[] v6High;
    private final long[] v6Low;
    private final long[] v6MaskHigh;
    private final long[] v6MaskLow;

    public AllowedIps(List<Prefix> prefixes) {
        List<Prefix> v4 = prefixes.stream().filter(p -> p.address().length == 4).toList();
        List<Prefix> v6 = prefixes.stream().filter(p -> p.address().length == 16).toList();
        v4Network = new int[v4.size()];
        v4Mask = new int[v4.size()];
        for (int i = 0; i < v4.size(); i++) {
            v4Mask[i] = v4.get(i).length() == 0 ? 0 : -1 << (32 - v4.get(i).length());
            v4Network[i] = readInt(v4.get(i).address(), 0) & v4Mask[i];
        }
        v6High = new long[v6.size()];
        v6Low = new long[v6.size()];
        v6MaskHigh = new long[v6.size()];
        v6MaskLow = new long[v6.size()];
        for (int i = 0; i < v6.size(); i++) {
            int len = v6.get(i).length();
            v6MaskHigh[i] = len == 0 ? 0 : len >= 64 ? -1L : -1L << (64 - len);
            v6MaskLow[i] = len <= 64 ? 0 : len == 128 ? -1L : -1L << (128 - len);
            v6High[i] = readLong(v6.get(i).address(), 0) & v6MaskHigh[i];
            v6Low[i] = readLong(v6.get(i).address(), 8) & v6MaskLow[i];
        }
    }

    /** Is the IPv4 address (host order int) allowed? */
    public boolean allowsV4(int address) {
        for (int i = 0; i < v4Network.length; i++) {
            if ((address & v4Mask[i]) == v4Network[i]) {
                return true;
            }
        }
        return false;
    }

    public boolean allowsV6(long high, long low) {
        for (int i = 0; i < v6High.length; i++) {
            if ((high & v6MaskHigh[i]) == v6High[i] && (low & v6MaskLow[i]) == v6Low[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Checks the source (or destination) address of the IP packet at {@code buf[off..]}.
     * Returns false for anything that is not a long-enough IPv4 or IPv6 packet.
     */
    public boolean allowsPacketAddress(byte[] buf, int off, int len, boolean source) {
        if (len < 1) {
            return false;
        }
        int version = (buf[off] & 0xff) >>> 4;
        if (version == 4 && len >= 20) {
            return allowsV4(readInt(buf, off + (source ? 12 : 16)));
        }
        if (version == 6 && len >= 40) {
            int a = off + (source ? 8 : 24);
            return allowsV6(readLong(buf, a), readLong(buf, a + 8));
        }
        return false;
    }

    static int readInt(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    static long readLong(byte[] b, int off) {
        return (long) readInt(b, off) << 32 | (readInt(b, off + 4) & 0xffffffffL);
    }

    /** An address prefix such as 10.0.0.0/24 or fd00::/8; host bits are ignored, as wg does. */
    public record Prefix(byte[] address, int length) {
        public static Prefix parse(String text) {
            int slash = text.indexOf('/');
            String addr = slash < 0 ? text : text.substring(0, slash);
            if (!addr.matches("[0-9a-fA-F.:]+")) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix");
            }
            byte[] bytes;
            try {
                bytes = InetAddress.getByName(addr).getAddress();
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix");
            }
            int max = bytes.length * 8;
            int length;
            try {
                length = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "': bad prefix length");
            }
            if (length < 0 || length > max) {
                throw new IllegalArgumentException("'" + text + "': prefix length must be 0.." + max);
            }
            return new Prefix(bytes, length);
        }
    }
}
