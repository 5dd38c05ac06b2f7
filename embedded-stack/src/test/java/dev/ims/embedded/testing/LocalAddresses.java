package dev.ims.embedded.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * This machine's own addresses, for tests of what a listening service lets in: connecting to a local,
 * non-loopback address from this machine stays on this machine, yet reaches only sockets bound to that address
 * or to every interface (a socket on 127.0.0.1 refuses it).
 */
public final class LocalAddresses {

    private static final int CONNECT_TIMEOUT_MILLIS = 2000;

    private LocalAddresses() {}

    /** An IPv4 address of an interface that is up and not loopback (e.g. eth0's), if this machine has one. */
    public static Optional<InetAddress> nonLoopback() {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return Optional.of(a);
                    }
                }
            }
            return Optional.empty();
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot list this machine's network interfaces", e);
        }
    }

    /** {@link #nonLoopback()}, or the test is skipped (not failed) on a machine with loopback only. */
    public static InetAddress assumeNonLoopback() {
        Optional<InetAddress> a = nonLoopback();
        Assumptions.assumeTrue(a.isPresent(),
                "this machine has no non-loopback IPv4 address: cannot test that a service refuses connections from the network");
        return a.get();
    }

    /**
     * Whether a TCP connection to {@code address:port} is accepted ({@code true}) or refused ({@code false}).
     *
     * @throws UncheckedIOException on anything but a refusal (e.g. a time-out), which says nothing about the binding
     */
    public static boolean accepts(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("connecting to " + address.getHostAddress() + ":" + port + " neither succeeded nor was refused", e);
        }
    }
}
