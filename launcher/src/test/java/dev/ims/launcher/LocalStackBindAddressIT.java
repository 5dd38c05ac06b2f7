package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.LocalAddresses;
import dev.ims.model.config.ImsSettings;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's broker, store and portal on real sockets: reachable from this machine only by default, from the
 * network when IMS_BIND_ADDRESS says so; the URLs the banner prints work in both cases.
 */
class LocalStackBindAddressIT {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    @Test
    void byDefault_brokerStoreAndPortal_acceptOnLoopback_andRefuseOnTheNetworkAddress() throws Exception {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        int mqttPort = FreePorts.resolve(0);
        int mongoPort = FreePorts.resolve(0);
        try (LocalStack stack = LocalStack.start(settings(Map.of(), mqttPort, mongoPort), new LocalStack.Options(0, 0, 60, Duration.ZERO))) {
            assertThat(stack.listening()).containsExactly("broker", "store", "portal");
            for (int port : List.of(mqttPort, mongoPort, stack.portalPort())) {
                assertThat(LocalAddresses.accepts(LOOPBACK, port)).as("loopback port %d", port).isTrue();
                assertThat(LocalAddresses.accepts(network, port)).as("%s port %d", network, port).isFalse();
            }
            assertThat(stack.mqttUrl()).isEqualTo("tcp://127.0.0.1:" + mqttPort);
            assertThat(stack.mongoUri()).isEqualTo("mongodb://127.0.0.1:" + mongoPort);
            assertThat(stack.portalUrl()).isEqualTo("http://127.0.0.1:" + stack.portalPort() + "/");
            assertThat(ImsMain.listeningLine(stack.listening(), stack.bindAddress()))
                    .isEqualTo("broker, store, portal listen on 127.0.0.1: this machine only"
                            + " (IMS_BIND_ADDRESS=0.0.0.0 or --bind-address opens them to the network)");
        }
    }

    @Test
    void onEveryInterface_brokerStoreAndPortal_acceptOnTheNetworkAddress() throws Exception {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        int mqttPort = FreePorts.resolve(0);
        int mongoPort = FreePorts.resolve(0);
        try (LocalStack stack = LocalStack.start(settings(Map.of("IMS_BIND_ADDRESS", "0.0.0.0"), mqttPort, mongoPort),
                new LocalStack.Options(0, 0, 60, Duration.ZERO))) {
            for (int port : List.of(mqttPort, mongoPort, stack.portalPort())) {
                assertThat(LocalAddresses.accepts(network, port)).as("%s port %d", network, port).isTrue();
                assertThat(LocalAddresses.accepts(LOOPBACK, port)).as("loopback port %d", port).isTrue();
            }
            // The printed URLs are for this machine; on the wildcard they stay on loopback, where the servers also listen.
            assertThat(stack.portalUrl()).isEqualTo("http://127.0.0.1:" + stack.portalPort() + "/");
            assertThat(ImsMain.listeningLine(stack.listening(), stack.bindAddress()))
                    .startsWith("broker, store, portal listen on 0.0.0.0 (IMS_BIND_ADDRESS)");
        }
    }

    private ImsSettings settings(Map<String, String> extra, int mqttPort, int mongoPort) {
        Map<String, String> env = new HashMap<>(extra);
        env.putAll(Map.of("TIME_ZONE", "UTC", "HTTP_PORT", "0", "MQTT_PORT", Integer.toString(mqttPort), "MQTT_TLS_PORT", "0", "MONGO_PORT",
                Integer.toString(mongoPort), "IMS_DATA_DIR", dir.resolve("data").toString(), "IMS_ADMIN_PASSWORD", "bind-test-password"));
        return ImsSettings.load(env, Map.of());
    }
}
