package dev.braid.ecmp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address with a prefix length, as written "10.0.0.0/24", "10.0.55.1/32" or
 * "fd00:20::/64". Used both for networks (routes, allowed sources) and for an interface address
 * with its prefix ("10.14.0.1/30", where host bits are set on purpose).
 *
 * <p>{@link #parse} accepts host bits; {@link #parseNetwork} refuses them, for configuration where
 * "192.168.10.1/24" is more likely a typo than meant. The address is kept exactly as given (no
 * scope id, no IPv4-mapped folding: "::ffff:10.0.0.1/128" stays IPv6).
 */
public record IpPrefix(InetAddress address, int prefixLength) implements Comparable<IpPrefix> {

    public IpPrefix {
        Objects.requireNonNull(address, "address");
        int max = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range 0.." + max
                    + " for " + address.getHostAddress());
        }
        if (address instanceof Inet6Address v6 && v6.getScopeId() != 0) {
            // a zone belongs to a link, not to a prefix; drop it so equal prefixes compare equal
            address = byBytes(address.getAddress());
        }
    }

    /** Parses "a.b.c.d/len", "v6addr/len", or a bare address (meaning /32 or /128); host bits allowed. */
    public static IpPrefix parse(String text) {
        Objects.requireNonNull(text, "text");
        String s = text.strip();
        int slash = s.indexOf('/');
        String addressPart = slash < 0 ? s : s.substring(0, slash);
        InetAddress address = parseAddress(addressPart, text);
        int max = address.getAddress().length * 8;
        int length = max;
        if (slash >= 0) {
            String lengthPart = s.substring(slash + 1);
            if (lengthPart.isEmpty() || lengthPart.length() > 3 || !lengthPart.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("bad prefix length in \"" + text + "\": expected 0.." + max);
            }
            length = Integer.parseInt(lengthPart);
            if (length > max) {
                throw new IllegalArgumentException("prefix length " + length + " in \"" + text + "\" exceeds " + max);
            }
        }
        return new IpPrefix(address, length);
    }

    /** Like {@link #parse}, but the address must be the network address (no host bits set). */
    public static IpPrefix parseNetwork(String text) {
        IpPrefix p = parse(text);
        if (!p.isNetworkAddress()) {
            throw new IllegalArgumentException("\"" + text.strip() + "\" has host bits set; did you mean "
                    + p.network() + "?");
        }
        return p;
    }

    /** A single host: /32 or /128. */
    public static IpPrefix host(InetAddress address) {
        return new IpPrefix(address, address.getAddress().length * 8);
    }

    /**
     * Parses a literal IPv4 or IPv6 address without ever consulting DNS (InetAddress.getByName
     * would look up anything that is not a literal).
     */
    public static InetAddress parseAddress(String literal) {
        return parseAddress(literal, literal);
    }

    private static InetAddress parseAddress(String literal, String context) {
        byte[] bytes = literal.indexOf(':') >= 0 ? parseV6(literal) : parseV4(literal);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address: \"" + literal + "\""
                    + (context.equals(literal) ? "" : " in \"" + context + "\""));
        }
        return byBytes(bytes);
    }

    /**
     * 4 bytes give an Inet4Address, 16 an Inet6Address — also for IPv4-mapped ones, which
     * InetAddress.getByAddress would silently turn into IPv4.
     */
    static InetAddress byBytes(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("address must be 4 or 16 bytes, got " + bytes.length, e);
        }
    }

    private static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            // no leading zeros: "010" means 8 to some parsers and 10 to others
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            out[i] = (byte) v;
        }
        return out;
    }

    private static byte[] parseV6(String s) {
        if (s.indexOf('%') >= 0 || s.isEmpty()) {
            return null;
        }
        int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
            return null;
        }
        String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
        String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
        byte[] headBytes = groups(head, doubleColon < 0);
        byte[] tailBytes = groups(tail, true);
        if (headBytes == null || tailBytes == null) {
            return null;
        }
        int total = headBytes.length + tailBytes.length;
        if (doubleColon < 0 ? total != 16 : total > 14) {
            return null;
        }
        byte[] out = new byte[16];
        System.arraycopy(headBytes, 0, out, 0, headBytes.length);
        System.arraycopy(tailBytes, 0, out, 16 - tailBytes.length, tailBytes.length);
        return out;
    }

    /** Colon-separated hex groups; the last may be a dotted IPv4 address when {@code mayEndInV4}. */
    private static byte[] groups(String s, boolean mayEndInV4) {
        if (s.isEmpty()) {
            return new byte[0];
        }
        String[] parts = s.split(":", -1);
        byte[] out = new byte[parts.length * 2 + 2];
        int n = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (i == parts.length - 1 && mayEndInV4 && p.indexOf('.') >= 0) {
                byte[] v4 = parseV4(p);
                if (v4 == null) {
                    return null;
                }
                System.arraycopy(v4, 0, out, n, 4);
                n += 4;
                continue;
            }
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int k = 0; k < p.length(); k++) {
                int d = Character.digit(p.charAt(k), 16);
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            out[n++] = (byte) (v >>> 8);
            out[n++] = (byte) v;
        }
        return Arrays.copyOf(out, n);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    public boolean isIpv6() {
        return !isIpv4();
    }

    /** 4 for IPv4, 16 for IPv6. */
    public int addressBytes() {
        return isIpv4() ? 4 : 16;
    }

    /** 32 or 128. */
    public int maxPrefixLength() {
        return addressBytes() * 8;
    }

    public boolean isHost() {
        return prefixLength == maxPrefixLength();
    }

    /** True when no bit past the prefix is set. */
    public boolean isNetworkAddress() {
        return Arrays.equals(address.getAddress(), masked(address.getAddress(), prefixLength));
    }

    /** The same prefix with host bits cleared: "10.14.0.1/30" gives "10.14.0.0/30". */
    public IpPrefix network() {
        return new IpPrefix(byBytes(masked(address.getAddress(), prefixLength)), prefixLength);
    }

    /** True when {@code other} (an address) lies inside this prefix. */
    public boolean contains(InetAddress other) {
        byte[] a = address.getAddress();
        byte[] b = other.getAddress();
        return a.length == b.length && Arrays.equals(masked(a, prefixLength), masked(b, prefixLength));
    }

    /** True when every address of {@code other} lies inside this prefix. */
    public boolean contains(IpPrefix other) {
        return other.addressBytes() == addressBytes() && other.prefixLength >= prefixLength
                && contains(other.address);
    }

    /** True when the two prefixes share at least one address (one contains the other). */
    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    private static byte[] masked(byte[] bytes, int length) {
        byte[] out = bytes.clone();
        for (int i = 0; i < out.length; i++) {
            int bitsHere = Math.max(0, Math.min(8, length - i * 8));
            out[i] &= (byte) (0xff00 >>> bitsHere);
        }
        return out;
    }

    /** The address alone, IPv6 in its canonical short form (RFC 5952). */
    public String addressText() {
        return formatAddress(address);
    }

    /** Formats IPv4 dotted and IPv6 in RFC 5952 form (lower case, longest zero run as "::"). */
    public static String formatAddress(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    @Override
    public int compareTo(IpPrefix o) {
        int c = Integer.compare(addressBytes(), o.addressBytes());
        if (c != 0) {
            return c;
        }
        c = Arrays.compareUnsigned(address.getAddress(), o.address.getAddress());
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }

    @Override
    public String toString() {
        return addressText() + "/" + prefixLength;
    }
}
