package dev.ims.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import dev.ims.embedded.testing.LocalAddresses;
import dev.ims.model.config.BindAddress;
import java.net.InetAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the embedded broker and store let in, on real sockets: this machine only unless IMS_BIND_ADDRESS opens them. */
class BindAddressIT {

    private static final InetAddress LOOPBACK = BindAddress.LOOPBACK.address();

    @TempDir
    Path dir;

    @Test
    void broker_byDefault_acceptsOnLoopback_andRefusesOnTheNetworkAddress() {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")))) {
            assertThat(LocalAddresses.accepts(LOOPBACK, broker.port())).isTrue();
            assertThat(LocalAddresses.accepts(network, broker.port())).isFalse();
            assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + broker.port());
        }
    }

    @Test
    void broker_onEveryInterface_acceptsOnTheNetworkAddress() {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        try (EmbeddedBroker broker = EmbeddedBroker.start(
                EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withBindAddress(BindAddress.parse("0.0.0.0")))) {
            assertThat(LocalAddresses.accepts(network, broker.port())).isTrue();
            assertThat(LocalAddresses.accepts(LOOPBACK, broker.port())).isTrue();
            assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + broker.port());
        }
    }

    @Test
    void broker_onTheNetworkAddressOnly_isReachedThere_andItsUrlSaysSo() {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker"))
                .withBindAddress(BindAddress.parse(network.getHostAddress())))) {
            assertThat(LocalAddresses.accepts(network, broker.port())).isTrue();
            assertThat(LocalAddresses.accepts(LOOPBACK, broker.port())).isFalse();
            assertThat(broker.url()).isEqualTo("tcp://" + network.getHostAddress() + ":" + broker.port());
        }
    }

    @Test
    void store_byDefault_acceptsOnLoopback_andRefusesOnTheNetworkAddress() {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory())) {
            assertThat(LocalAddresses.accepts(LOOPBACK, store.port())).isTrue();
            assertThat(LocalAddresses.accepts(network, store.port())).isFalse();
            assertThat(store.connectionString()).isEqualTo("mongodb://127.0.0.1:" + store.port());
        }
    }

    @Test
    void store_onEveryInterface_acceptsOnTheNetworkAddress() {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.inMemory().withBindAddress(BindAddress.parse("0.0.0.0")))) {
            assertThat(LocalAddresses.accepts(network, store.port())).isTrue();
            assertThat(LocalAddresses.accepts(LOOPBACK, store.port())).isTrue();
        }
    }

    @Test
    void broker_onAnAddressOfAnotherMachine_failsToStart() {
        BindAddress foreign = BindAddress.parse("198.51.100.77");
        assertThatThrownBy(() -> EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withBindAddress(foreign)))
                .isInstanceOf(EmbeddedStartException.class).hasMessageContaining("198.51.100.77");
    }

    @Test
    void store_onAnAddressOfAnotherMachine_failsToStart() {
        // 198.51.100.0/24 is TEST-NET-2 (RFC 5737): documentation only, on none of this machine's interfaces.
        BindAddress foreign = BindAddress.parse("198.51.100.77");
        assertThatThrownBy(() -> EmbeddedStore.start(EmbeddedStoreOptions.inMemory().withBindAddress(foreign)))
                .isInstanceOf(EmbeddedStartException.class).hasMessageContaining("198.51.100.77");
    }
}
