package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.embedded.testing.LocalAddresses;
import dev.ims.model.config.BindAddress;
import dev.ims.model.config.ImsSettings;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the portal's HTTP server lets in, on real sockets: this machine only unless IMS_BIND_ADDRESS opens it. */
class PortalBindAddressIT {

    @BeforeAll
    static void store() throws Exception {
        PortalIT.start();
    }

    @Test
    void byDefault_acceptsOnLoopback_andRefusesOnTheNetworkAddress() throws Exception {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        Portal portal = portal(Map.of());
        try {
            int port = portal.start().toCompletionStage().toCompletableFuture().get();
            assertThat(health("127.0.0.1", port)).isEqualTo(200);
            assertThat(LocalAddresses.accepts(network, port)).isFalse();
            assertThat(Portal.localUrl(BindAddress.LOOPBACK, port)).isEqualTo("http://127.0.0.1:" + port + "/");
        } finally {
            portal.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void onEveryInterface_answersOnTheNetworkAddress() throws Exception {
        InetAddress network = LocalAddresses.assumeNonLoopback();
        Portal portal = portal(Map.of("IMS_BIND_ADDRESS", "0.0.0.0"));
        try {
            int port = portal.start().toCompletionStage().toCompletableFuture().get();
            assertThat(health(network.getHostAddress(), port)).isEqualTo(200);
            assertThat(health("127.0.0.1", port)).isEqualTo(200);
        } finally {
            portal.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    @Test
    void onAnAddressOfAnotherMachine_failsToStart() throws Exception {
        // 198.51.100.0/24 is TEST-NET-2 (RFC 5737): on none of this machine's interfaces.
        Portal portal = portal(Map.of("IMS_BIND_ADDRESS", "198.51.100.77"));
        try {
            assertThatThrownBy(() -> portal.start().toCompletionStage().toCompletableFuture().get())
                    .isInstanceOf(ExecutionException.class).hasStackTraceContaining("Cannot assign requested address");
        } finally {
            portal.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    private static Portal portal(Map<String, String> env) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("HTTP_PORT", "0");
        all.put("TIME_ZONE", "UTC");
        all.put("IMS_ADMIN_PASSWORD", PortalIT.ADMIN_PASSWORD);
        ImsSettings ims = ImsSettings.load(all, Map.of()).withMongoUri(PortalIT.store.connectionString());
        return new Portal(PortalSettings.load(ims, Map.of()).withPasswordCost(4), PortalIT.db, PortalIT.vertx);
    }

    private static int health(String host, int port) throws Exception {
        HttpResponse<Void> r = PortalIT.http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/health")).build(),
                HttpResponse.BodyHandlers.discarding());
        return r.statusCode();
    }
}
