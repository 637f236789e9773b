package dev.braid.ecmp;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * IP address literals to and from text, never through DNS (InetAddress.getByName would resolve
 * anything that is not a literal, and `braid check` must read only local files). The parsers
 * return null for text that is not a literal; {@link IpPrefix} turns that into a message.
 *
 * <p>IPv4 is the plain dotted quad: the BSD short forms ("10.1" for 10.0.0.1) and leading zeros
 * (octal to some tools) are refused as ambiguous. IPv6 follows RFC 4291 text: no zone, a dotted quad
 * only as the last 32 bits. It is printed back in the RFC 5952 short form. Only ASCII digits count
 * (Character.isDigit and Integer.parseInt would also take other scripts' digits).
 */
final class IpLiteral {
    private IpLiteral() {
    }

    /** The 4 bytes of a dotted quad, or null if {@code text} is not one. */
    static byte[] parseIpv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String part = parts[i];
            if (!isDecimal(part, 3) || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int value = Integer.parseInt(part);
            if (value > 255) {
                return null;
            }
            bytes[i] = (byte) value;
        }
        return bytes;
    }

    /** The 16 bytes of an IPv6 literal (no brackets, no zone), or null if {@code text} is not one. */
    static byte[] parseIpv6(String text) {
        if (text.indexOf(':') < 0 || text.indexOf('%') >= 0) {
            return null;
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        byte[] head = groups(gap >= 0 ? text.substring(0, gap) : text, gap < 0);
        byte[] tail = gap >= 0 ? groups(text.substring(gap + 2), true) : new byte[0];
        if (head == null || tail == null) {
            return null;
        }
        int given = head.length + tail.length;
        // "::" stands for at least one zero group
        if (gap < 0 ? given != 16 : given > 14) {
            return null;
        }
        byte[] bytes = new byte[16];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(tail, 0, bytes, 16 - tail.length, tail.length);
        return bytes;
    }

    /**
     * The bytes of a run of colon-separated hex groups; the last may be a dotted quad when
     * {@code mayEndInIpv4} (it must be the address's last 32 bits, so not before a "::").
     */
    private static byte[] groups(String run, boolean mayEndInIpv4) {
        if (run.isEmpty()) {
            return new byte[0];
        }
        String[] parts = run.split(":", -1);
        byte[] bytes = new byte[parts.length * 2 + 2];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (i == parts.length - 1 && mayEndInIpv4 && part.indexOf('.') >= 0) {
                byte[] v4 = parseIpv4(part);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, bytes, n, 4);
                n += 4;
                continue;
            }
            if (part.isEmpty() || part.length() > 4) {
                return null;
            }
            int value = 0;
            for (int k = 0; k < part.length(); k++) {
                int digit = hexDigit(part.charAt(k));
                if (digit < 0) {
                    return null;
                }
                value = value * 16 + digit;
            }
            bytes[n++] = (byte) (value >>> 8);
            bytes[n++] = (byte) value;
        }
        return Arrays.copyOf(bytes, n);
    }

    /** True when {@code text} is 1..{@code maxLength} ASCII digits. */
    static boolean isDecimal(String text, int maxLength) {
        if (text.isEmpty() || text.length() > maxLength) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /**
     * 4 bytes give an Inet4Address, 16 an Inet6Address — also for IPv4-mapped ones, which
     * InetAddress.getByAddress would silently turn into IPv4 (changing a prefix's family).
     */
    static InetAddress toAddress(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }

    /** Dotted quad for IPv4; RFC 5952 for IPv6 (lower case, the longest run of two or more zero groups as "::"). */
    static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(g[i]));
        }
        return text.toString();
    }
}
