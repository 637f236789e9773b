package dev.braid.gateway.config;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;
import java.util.regex.Pattern;

import dev.braid.ecmp.IpPrefix;

/**
 * A host and a UDP/TCP port as a user writes them: {@code 203.0.113.7:51820}, {@code [2001:db8::7]:51820},
 * {@code vpn.example.net:51820}, or the host alone when a default port applies. A DNS name is only
 * checked for form here; it is resolved by whoever connects, never by `braid check`.
 */
public record HostPort(String host, int port, HostKind kind) {
    /** What the host text is, which decides how it is printed and the tunnel overhead it implies. */
    public enum HostKind { IPV4, IPV6, DNS_NAME }

    private static final Pattern DNS_LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern DIGITS_AND_DOTS = Pattern.compile("[0-9.]+");

    public HostPort {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is outside 1..65535");
        }
    }

    /**
     * Parses {@code text}; {@code defaultPort} (0 for none) applies when the text names no port.
     * The IllegalArgumentException's message says what is wrong and how to write it instead.
     */
    public static HostPort parse(String text, int defaultPort) {
        String host;
        String portText = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("'" + text + "' opens '[' without closing it (write [2001:db8::1]:51820)");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("'" + text + "': after ']' comes ':PORT' or nothing");
                }
                portText = rest.substring(1);
            }
            if (!(literal(host) instanceof Inet6Address)) {
                throw new IllegalArgumentException("'" + host + "' in brackets is not an IPv6 address");
            }
        } else {
            int colons = (int) text.chars().filter(c -> c == ':').count();
            if (colons > 1) {
                if (!(literal(text) instanceof Inet6Address)) {
                    throw new IllegalArgumentException("'" + text + "' is not an IPv6 address (an IPv6 address with a port is written [2001:db8::1]:51820)");
                }
                host = text;
            } else if (colons == 1) {
                host = text.substring(0, text.indexOf(':'));
                portText = text.substring(text.indexOf(':') + 1);
            } else {
                host = text;
            }
        }
        int port = defaultPort;
        if (portText != null) {
            if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                throw new IllegalArgumentException("'" + text + "': the port must be a number 1..65535, got '" + portText + "'");
            }
            port = Integer.parseInt(portText);
        } else if (defaultPort == 0) {
            throw new IllegalArgumentException("'" + text + "' names no port (write HOST:PORT, e.g. 127.0.0.1:9586)");
        }
        return new HostPort(host, port, kindOf(host));
    }

    private static HostKind kindOf(String host) {
        InetAddress literal = literal(host);
        if (literal instanceof Inet6Address) {
            return HostKind.IPV6;
        }
        if (literal instanceof Inet4Address) {
            return HostKind.IPV4;
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("the host is empty (write an IPv4 address, [IPv6 address] or DNS name)");
        }
        if (DIGITS_AND_DOTS.matcher(host).matches()) {
            throw new IllegalArgumentException("'" + host + "' is not a valid IPv4 address (four numbers 0..255 without leading zeros, e.g. 203.0.113.7)");
        }
        String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (name.length() > 253 || !name.chars().allMatch(c -> c < 128)) {
            throw new IllegalArgumentException("'" + host + "' is not a valid DNS name");
        }
        for (String label : name.split("\\.", -1)) {
            if (!DNS_LABEL.matcher(label).matches()) {
                throw new IllegalArgumentException("'" + host + "' is not an IP address or a valid DNS name (labels of letters, digits and inner hyphens, 1..63 long)");
            }
        }
        return HostKind.DNS_NAME;
    }

    /** The address {@code host} spells, or null when it is no IP literal (a DNS name is never looked up here). */
    private static InetAddress literal(String host) {
        try {
            return IpPrefix.parseAddress(host);
        } catch (IllegalArgumentException notALiteral) {
            return null;
        }
    }

    /** The host as it goes into HOST:PORT text: IPv6 in brackets. */
    public String hostForUri() {
        return kind == HostKind.IPV6 ? "[" + IpPrefix.formatAddress(IpPrefix.parseAddress(host)) + "]" : host.toLowerCase(Locale.ROOT);
    }

    /** The same host with another port (the peer's worker i listens on endpoint port + i). */
    public HostPort withPort(int otherPort) {
        return new HostPort(host, otherPort, kind);
    }

    @Override
    public String toString() {
        return hostForUri() + ":" + port;
    }
}
