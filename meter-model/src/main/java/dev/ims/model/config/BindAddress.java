package dev.ims.model.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The address a listening service binds to ({@code IMS_BIND_ADDRESS}): an IP literal, never a host name, so
 * that reading the configuration does no DNS look-up. {@code 127.0.0.1} (the default) keeps a service on this
 * machine; {@code 0.0.0.0} opens it on every interface; a specific interface's address opens it there only.
 * Whether the address belongs to this machine is found out when a service binds it: start-up then fails.
 *
 * @param address the parsed literal
 */
public record BindAddress(InetAddress address) {

    /** Four decimal octets, 0 to 255, no leading zeros (which some parsers read as octal). */
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])");

    /** This machine only. */
    public static final BindAddress LOOPBACK = parse(ImsSettings.DEFAULT_BIND_ADDRESS);

    /**
     * @throws ConfigException naming {@code IMS_BIND_ADDRESS} when {@code literal} is not an IPv4 or IPv6 address
     */
    public static BindAddress parse(String literal) {
        String s = literal == null ? "" : literal.strip();
        boolean ipv6 = s.contains(":") && s.matches("[0-9A-Fa-f:.]+");
        if (IPV4.matcher(s).matches() || ipv6) {
            try {
                // A literal (checked above) is parsed, never looked up.
                return new BindAddress(InetAddress.getByName(s));
            } catch (UnknownHostException e) {
                // reported below
            }
        }
        throw new ConfigException(ImsSettings.IMS_BIND_ADDRESS + " must be an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0"
                + " (every interface), got '" + literal + "'");
    }

    /** The literal to bind, e.g. {@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::1}. */
    public String host() {
        return address.getHostAddress();
    }

    /** Only this machine can connect. */
    public boolean isLoopback() {
        return address.isLoopbackAddress();
    }

    /** Every interface of this machine: {@code 0.0.0.0} or {@code ::}. */
    public boolean isWildcard() {
        return address.isAnyLocalAddress();
    }

    /**
     * Where a client on this machine connects to a service bound here, as it goes into a URL: the address itself,
     * except for the wildcard, which is reached on {@code 127.0.0.1} (an IPv6 wildcard socket accepts IPv4 too).
     * IPv6 addresses are bracketed ({@code [::1]}).
     */
    public String urlHost() {
        if (isWildcard()) {
            return ImsSettings.DEFAULT_BIND_ADDRESS;
        }
        return address instanceof Inet6Address ? "[" + host() + "]" : host();
    }

    /**
     * What a service's "listening on" log line adds after the address: that only this machine can connect, or that
     * the service is open to the network by {@code IMS_BIND_ADDRESS}.
     */
    public String reach() {
        return isLoopback() ? "loopback: this machine only; " + ImsSettings.IMS_BIND_ADDRESS + " opens it to the network"
                : ImsSettings.IMS_BIND_ADDRESS;
    }

    @Override
    public String toString() {
        return host();
    }
}
