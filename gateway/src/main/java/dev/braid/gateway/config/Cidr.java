package dev.braid.gateway.config;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An IP address with a prefix length, as `ip` writes it: {@code 192.168.20.0/24} (a prefix) or
 * {@code 10.14.0.1/30} (an interface address, host bits set). Text in, text out, never DNS.
 *
 * <p>Stand-in until the ecmp module's {@code IpPrefix} lands: the config and the plan only use
 * {@link #parse}, {@link #address}, {@link #prefixLength}, {@link #isIpv4}, {@link #network},
 * {@link #overlaps}, {@link #subnet}, {@link #withHost} and {@link #toString}, so swapping in the
 * other record (or converting at the boundary) touches those call sites only.
 */
public record Cidr(InetAddress address, int prefixLength) {
    public Cidr {
        Objects.requireNonNull(address, "address");
        int bits = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + bits);
        }
    }

    /**
     * Parses {@code ADDRESS/LENGTH} (IPv4 dotted quad or IPv6); host bits may be set. The message of
     * the IllegalArgumentException says what is wrong with the text.
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length (write it as ADDRESS/LENGTH, e.g. "
                    + (text.indexOf(':') >= 0 ? "2001:db8::/64" : "192.168.20.0/24") + ")");
        }
        InetAddress address = parseAddress(text.substring(0, slash));
        String lengthText = text.substring(slash + 1);
        int bits = address.getAddress().length * 8;
        if (!lengthText.matches("\\d{1,3}") || Integer.parseInt(lengthText) > bits) {
            throw new IllegalArgumentException("'" + text + "': the prefix length must be a number 0.." + bits);
        }
        return new Cidr(address, Integer.parseInt(lengthText));
    }

    /** Parses an IPv4 or IPv6 literal (no DNS); the message says what is wrong. */
    public static InetAddress parseAddress(String text) {
        byte[] bytes = IpLiteral.parseIpv4(text);
        if (bytes == null) {
            bytes = IpLiteral.parseIpv6(text);
        }
        if (bytes == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
        }
        return IpLiteral.toAddress(bytes);
    }

    /** The single address {@code address} as a /32 or /128. */
    public static Cidr host(InetAddress address) {
        return new Cidr(address, address.getAddress().length * 8);
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** 32 for IPv4, 128 for IPv6. */
    public int addressBits() {
        return address.getAddress().length * 8;
    }

    /** The prefix itself: host bits cleared. */
    public Cidr network() {
        BigInteger hostMask = BigInteger.ONE.shiftLeft(addressBits() - prefixLength).subtract(BigInteger.ONE);
        return new Cidr(fromBits(bits().andNot(hostMask)), prefixLength);
    }

    /** True when no host bits are set, i.e. this is a prefix rather than an interface address. */
    public boolean isNetwork() {
        return network().equals(this);
    }

    /** True when the two share any address (one prefix contains the other). */
    public boolean overlaps(Cidr other) {
        if (isIpv4() != other.isIpv4()) {
            return false;
        }
        int common = Math.min(prefixLength, other.prefixLength);
        return new Cidr(address, common).network().equals(new Cidr(other.address, common).network());
    }

    /** How many /{@code newLength} subnets this prefix holds (saturating at Long.MAX_VALUE). */
    public long subnetCount(int newLength) {
        if (newLength < prefixLength || newLength > addressBits()) {
            return 0;
        }
        int bits = newLength - prefixLength;
        return bits >= 63 ? Long.MAX_VALUE : 1L << bits;
    }

    /** The {@code index}-th /{@code newLength} subnet of this prefix, counting from 0. */
    public Cidr subnet(int newLength, long index) {
        if (index < 0 || index >= subnetCount(newLength)) {
            throw new IllegalArgumentException(this + " has no /" + newLength + " number " + index);
        }
        BigInteger offset = BigInteger.valueOf(index).shiftLeft(addressBits() - newLength);
        return new Cidr(fromBits(network().bits().add(offset)), newLength);
    }

    /** The address {@code offset} past the network address, with this prefix length (10.14.0.4/30 + 1 = 10.14.0.5/30). */
    public Cidr withHost(long offset) {
        BigInteger hostCount = BigInteger.ONE.shiftLeft(addressBits() - prefixLength);
        if (offset < 0 || BigInteger.valueOf(offset).compareTo(hostCount) >= 0) {
            throw new IllegalArgumentException(this + " has no host " + offset);
        }
        return new Cidr(fromBits(network().bits().add(BigInteger.valueOf(offset))), prefixLength);
    }

    /** The address alone, as text (RFC 5952 short form for IPv6). */
    public String addressText() {
        return IpLiteral.format(address);
    }

    @Override
    public String toString() {
        return addressText() + "/" + prefixLength;
    }

    private BigInteger bits() {
        return new BigInteger(1, address.getAddress());
    }

    private InetAddress fromBits(BigInteger value) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[addressBits() / 8];
        int copy = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copy, bytes, bytes.length - copy, copy);
        return IpLiteral.toAddress(bytes);
    }
}
