package dev.braid.ecmp;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 address with a prefix length, as written "10.0.0.0/24", "10.0.55.1/32" or
 * "fd00:20::/64". Used both for networks (routes, allowed sources, the site config's prefixes and
 * link pool) and for an interface address with its prefix ("10.14.0.1/30", where host bits are set
 * on purpose). Text comes in through the parsers (never DNS; the literal rules are in
 * {@link IpLiteral}), goes to netlink as {@link #address} and {@link #prefixLength}, and comes back
 * out as {@link #toString}, IPv6 in its RFC 5952 short form.
 *
 * <p>{@link #parse} accepts host bits and a bare address; {@link #parseWithLength} insists on the
 * "/len" (a config prefix); {@link #parseNetwork} refuses host bits, for configuration where
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
            address = IpLiteral.toAddress(address.getAddress());
        }
    }

    /**
     * Parses "a.b.c.d/len", "v6addr/len", or a bare address (meaning /32 or /128); host bits allowed.
     * Surrounding white space is ignored. The message of the IllegalArgumentException says what is
     * wrong with the text.
     */
    public static IpPrefix parse(String text) {
        String s = Objects.requireNonNull(text, "text").strip();
        return s.indexOf('/') < 0 ? host(parseAddress(s)) : parseWithLength(s);
    }

    /**
     * Like {@link #parse}, but the length must be written: what a config means by a prefix, where
     * "192.168.20.0" alone is more likely a forgotten "/24" than a meant "/32".
     */
    public static IpPrefix parseWithLength(String text) {
        String s = Objects.requireNonNull(text, "text").strip();
        int slash = s.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + s + "' has no prefix length (write it as ADDRESS/LENGTH, e.g. "
                    + (s.indexOf(':') >= 0 ? "2001:db8::/64" : "192.168.20.0/24") + ")");
        }
        InetAddress address = parseAddress(s.substring(0, slash));
        String lengthText = s.substring(slash + 1);
        int max = address.getAddress().length * 8;
        if (!IpLiteral.isDecimal(lengthText, 3) || Integer.parseInt(lengthText) > max) {
            throw new IllegalArgumentException("'" + s + "': the prefix length must be a number 0.." + max);
        }
        if (lengthText.length() > 1 && lengthText.charAt(0) == '0') {
            // iproute2 reads "/024" as octal (/20): refuse rather than guess which was meant
            throw new IllegalArgumentException("'" + s + "': the prefix length has a leading zero; write /"
                    + Integer.parseInt(lengthText));
        }
        return new IpPrefix(address, Integer.parseInt(lengthText));
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
     * would look up anything that is not a literal). IPv4-mapped IPv6 stays IPv6.
     */
    public static InetAddress parseAddress(String literal) {
        byte[] bytes = IpLiteral.parseIpv4(literal);
        if (bytes == null) {
            bytes = IpLiteral.parseIpv6(literal);
        }
        if (bytes == null) {
            throw new IllegalArgumentException("'" + literal + "' is not an IPv4 or IPv6 address");
        }
        return IpLiteral.toAddress(bytes);
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
        return new IpPrefix(IpLiteral.toAddress(masked(address.getAddress(), prefixLength)), prefixLength);
    }

    /**
     * How many /{@code newLength} subnets this prefix holds: 0 when {@code newLength} is shorter than
     * this prefix or longer than the address; saturates at Long.MAX_VALUE (an IPv6 /64 holds 2^64 /128s).
     */
    public long subnetCount(int newLength) {
        if (newLength < prefixLength || newLength > maxPrefixLength()) {
            return 0;
        }
        int bits = newLength - prefixLength;
        return bits >= 63 ? Long.MAX_VALUE : 1L << bits;
    }

    /** The {@code index}-th /{@code newLength} subnet of this prefix, counting from 0 ("10.14.0.0/24", 30, 1 gives "10.14.0.4/30"). */
    public IpPrefix subnet(int newLength, long index) {
        if (index < 0 || index >= subnetCount(newLength)) {
            throw new IllegalArgumentException(this + " has no /" + newLength + " number " + index);
        }
        BigInteger offset = BigInteger.valueOf(index).shiftLeft(maxPrefixLength() - newLength);
        return new IpPrefix(addressOf(network().bits().add(offset)), newLength);
    }

    /** The address {@code offset} past the network address, with this prefix length ("10.14.0.4/30" + 1 = "10.14.0.5/30"). */
    public IpPrefix withHost(long offset) {
        BigInteger hostCount = BigInteger.ONE.shiftLeft(maxPrefixLength() - prefixLength);
        if (offset < 0 || BigInteger.valueOf(offset).compareTo(hostCount) >= 0) {
            throw new IllegalArgumentException(this + " has no host " + offset);
        }
        return new IpPrefix(addressOf(network().bits().add(BigInteger.valueOf(offset))), prefixLength);
    }

    /** The address as an unsigned number; BigInteger because planning is not a hot path and IPv6 needs 128 bits. */
    private BigInteger bits() {
        return new BigInteger(1, address.getAddress());
    }

    /** The address of this family whose unsigned value is {@code value} (known to fit). */
    private InetAddress addressOf(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[addressBytes()];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        return IpLiteral.toAddress(bytes);
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
        return IpLiteral.format(address);
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
