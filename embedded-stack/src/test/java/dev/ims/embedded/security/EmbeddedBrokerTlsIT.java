package dev.ims.embedded.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import dev.ims.client.mqtt.MqttClients;
import dev.ims.embedded.broker.BrokerTls;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.config.BindAddress;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.security.Credential;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's TLS listener with real sockets and the project's own client set-up ({@link MqttClients}): the
 * server is verified against {@code MQTT_CA_FILE} and by host name, and a client certificate the broker's CA issued
 * is an identity (no password), held to the same rights.
 */
class EmbeddedBrokerTlsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;

    private static BrokerIdentities identities;
    private static EmbeddedBroker broker;
    private static BrokerTls tls;
    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    @BeforeAll
    static void startBroker() {
        identities = new BrokerIdentities();
        broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, dir.resolve("broker")).withSecurity(identities.security())
                .withTls(0, BrokerTls.Settings.generated(dir.resolve("tls"))));
        tls = broker.tls().orElseThrow();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void disconnect() {
        for (Mqtt5BlockingClient c : clients) {
            if (c.getState().isConnected()) {
                try {
                    c.disconnect();
                } catch (RuntimeException ignored) {
                    // already going
                }
            }
        }
    }

    @Test
    void clientTrustingTheBrokersCa_connectsOverTls_withUsernameAndPassword() {
        Credential meter = identities.meter("IMS-TLS-PW-1");

        Mqtt5BlockingClient c = client(settings(tls.caFile()), broker.tlsUrl(), meter);

        assertThat(c.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(broker.tlsUrl()).startsWith("ssl://127.0.0.1:").endsWith(":" + broker.tlsPort());
        assertThat(publishCode(c, "meters/IMS-TLS-PW-1/reading", "{}"))
                .isIn(Mqtt5PubAckReasonCode.SUCCESS, Mqtt5PubAckReasonCode.NO_MATCHING_SUBSCRIBERS);
    }

    @Test
    void clientTrustingAnotherCa_isRefusedAtTheHandshake() {
        BrokerTls other = BrokerTls.open(BrokerTls.Settings.generated(dir.resolve("other-ca")), BindAddress.LOOPBACK);
        Credential meter = identities.meter("IMS-TLS-OTHERCA-1");

        Mqtt5BlockingClient c = client(settings(other.caFile()), broker.tlsUrl(), meter);

        assertThatThrownBy(c::connect).satisfies(e -> assertThat(causes(e)).anyMatch(x -> x instanceof javax.net.ssl.SSLHandshakeException));
        assertThat(c.getState().isConnected()).isFalse();
    }

    @Test
    void serverReachedByANameNotInItsCertificate_isRefused_hostnameVerification() throws Exception {
        Credential meter = identities.meter("IMS-TLS-HOST-1");
        // 127.0.0.1 under a name the certificate does not carry, without DNS: what a client gets that was sent elsewhere.
        InetSocketAddress elsewhere = new InetSocketAddress(InetAddress.getByAddress("broker.invalid", new byte[] {127, 0, 0, 1}),
                broker.tlsPort());
        Mqtt5BlockingClient c = MqttClients.builder(settings(tls.caFile()), MqttEndpoint.parse(broker.tlsUrl()), meter, Duration.ofSeconds(1),
                Duration.ofSeconds(1), () -> true).serverAddress(elsewhere).buildBlocking();
        clients.add(c);

        assertThatThrownBy(c::connect).satisfies(e -> assertThat(causes(e)).anyMatch(x -> x instanceof SSLException
                || x instanceof java.security.cert.CertificateException));
        // The same server by its own address is accepted: the refusal above is the name's.
        assertThat(client(settings(tls.caFile()), broker.tlsUrl(), meter).connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    }

    @Test
    void meterWithACertificateForItsId_connectsWithoutPassword_andMayPublishItsOwnReading_notAnothers() throws Exception {
        identities.meter("IMS-TLS-CERT-1");
        identities.meter("IMS-TLS-CERT-VICTIM");
        ImsSettings withCert = certificateSettings(tls, "IMS-TLS-CERT-1", "cert1");
        List<String> ingestGot = new CopyOnWriteArrayList<>();
        Mqtt5BlockingClient ingest = client(settings(null), broker.url(), identities.ingest("ims-ingest-tls"));
        ingest.connect();
        ingest.toAsync().subscribeWith().topicFilter("meters/+/reading").qos(MqttQos.AT_LEAST_ONCE)
                .callback(p -> ingestGot.add(p.getTopic() + "=" + StandardCharsets.UTF_8.decode(p.getPayload().orElseThrow())))
                .send().join();

        Mqtt5BlockingClient meter = client(withCert, broker.tlsUrl(), new Credential("IMS-TLS-CERT-1", ""));

        assertThat(meter.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(publishCode(meter, "meters/IMS-TLS-CERT-1/reading", "own")).isEqualTo(Mqtt5PubAckReasonCode.SUCCESS);
        await().atMost(WAIT).until(() -> ingestGot.contains("meters/IMS-TLS-CERT-1/reading=own"));
        assertThat(publishCode(meter, "meters/IMS-TLS-CERT-VICTIM/reading", "forged")).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertThat(ingestGot).noneMatch(m -> m.endsWith("=forged"));
    }

    @Test
    void certificateWithAUsernameOrClientIdOtherThanItsName_isRefused() throws Exception {
        identities.meter("IMS-TLS-NAME-1");
        Credential other = identities.meter("IMS-TLS-NAME-2");
        ImsSettings withCert = certificateSettings(tls, "IMS-TLS-NAME-1", "name1");

        // Another meter's own username and password do not help: the certificate says who this is.
        assertThat(connackOf(client(withCert, broker.tlsUrl(), other))).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        Mqtt5BlockingClient wrongId = Mqtt5Client.builder().identifier("IMS-TLS-NAME-2").serverHost("127.0.0.1").serverPort(broker.tlsPort())
                .sslConfig(MqttClients.sslConfig(withCert)).buildBlocking();
        clients.add(wrongId);
        assertThat(connackOf(wrongId)).isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
    }

    @Test
    void certificateForAnUnknownOrRemovedIdentity_isRefused() throws Exception {
        ImsSettings unknown = certificateSettings(tls, "IMS-TLS-UNKNOWN-1", "unknown");
        identities.meter("IMS-TLS-REMOVED-1");
        ImsSettings removed = certificateSettings(tls, "IMS-TLS-REMOVED-1", "removed");
        assertThat(connackOf(client(removed, broker.tlsUrl(), new Credential("IMS-TLS-REMOVED-1", "")))).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        identities.revokeMeter("IMS-TLS-REMOVED-1");
        broker.disconnect("IMS-TLS-REMOVED-1").join();

        assertThat(connackOf(client(unknown, broker.tlsUrl(), new Credential("IMS-TLS-UNKNOWN-1", ""))))
                .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        assertThat(connackOf(client(removed, broker.tlsUrl(), new Credential("IMS-TLS-REMOVED-1", ""))))
                .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void serviceNameInACertificate_isAServiceOnlyIfTheServiceExists_neverAMeter() throws Exception {
        ImsSettings fakeIngest = certificateSettings(tls, "ims-ingest-forged", "forged-ingest");

        assertThat(connackOf(client(fakeIngest, broker.tlsUrl(), new Credential("ims-ingest-forged", ""))))
                .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
    }

    @Test
    void certificateFromAnotherCa_isRefused() throws Exception {
        identities.meter("IMS-TLS-FOREIGN-1");
        BrokerTls foreign = BrokerTls.open(BrokerTls.Settings.generated(dir.resolve("foreign-ca")), BindAddress.LOOPBACK);
        ImsSettings withForeignCert = certificateSettings(foreign, "IMS-TLS-FOREIGN-1", "foreign");

        Mqtt5BlockingClient c = client(withForeignCert, broker.tlsUrl(), new Credential("IMS-TLS-FOREIGN-1", ""));

        // Measured: the JDK client does not even send it (the broker's certificate request names only its own CA), so the
        // connection arrives without a certificate and without a password; either way it never gets in.
        assertThatThrownBy(c::connect).satisfies(e -> assertThat(e instanceof Mqtt5ConnAckException a
                ? a.getMqttMessage().getReasonCode() == Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD
                : causes(e).stream().anyMatch(x -> x instanceof SSLException)).isTrue());
        assertThat(c.getState().isConnected()).isFalse();
    }

    @Test
    void plainListener_stillWorks_withUsernameAndPassword() {
        Credential meter = identities.meter("IMS-TLS-PLAIN-1");

        assertThat(client(settings(null), broker.url(), meter).connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
    }

    @Test
    void unreadableCaFile_isAClearConfigError() {
        Credential meter = identities.meter("IMS-TLS-NOFILE-1");

        assertThatThrownBy(() -> client(settings(dir.resolve("no-such-ca.pem")), broker.tlsUrl(), meter))
                .isInstanceOf(dev.ims.model.config.ConfigException.class).hasMessageContaining("MQTT_CA_FILE").hasMessageContaining("no-such-ca.pem");
    }

    // --- helpers

    private static ImsSettings settings(Path caFile) {
        Map<String, String> env = new java.util.HashMap<>();
        if (caFile != null) {
            env.put(ImsSettings.MQTT_CA_FILE, caFile.toString());
        }
        return ImsSettings.load(env, Map.of());
    }

    /** Settings trusting the broker's CA and presenting a certificate {@code ca} issued for {@code name}, written 0600. */
    private static ImsSettings certificateSettings(BrokerTls ca, String name, String fileName) throws Exception {
        BrokerTls.IssuedCertificate issued = ca.issueClientCertificate(name, Duration.ofDays(1));
        Path folder = PrivateFiles.createDirectories(dir.resolve("clients"));
        Path cert = folder.resolve(fileName + ".crt.pem");
        Path key = folder.resolve(fileName + ".key.pem");
        PrivateFiles.writeString(cert, issued.certificatePem());
        PrivateFiles.writeString(key, issued.privateKeyPem());
        return settings(tls.caFile()).withMqttClientCertificate(cert, key);
    }

    private Mqtt5BlockingClient client(ImsSettings settings, String url, Credential credential) {
        Mqtt5BlockingClient c = MqttClients.builder(settings, MqttEndpoint.parse(url), credential, Duration.ofSeconds(1), Duration.ofSeconds(1),
                () -> true).buildBlocking();
        clients.add(c);
        return c;
    }

    private static Mqtt5ConnAckReasonCode connackOf(Mqtt5BlockingClient c) {
        try {
            return c.connect().getReasonCode();
        } catch (Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    private static Mqtt5PubAckReasonCode publishCode(Mqtt5BlockingClient c, String topic, String payload) {
        try {
            Mqtt5PublishResult r = c.toAsync().publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE)
                    .payload(payload.getBytes(StandardCharsets.UTF_8)).send().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
            return ((Mqtt5PublishResult.Mqtt5Qos1Result) r).getPubAck().getReasonCode();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Mqtt5PubAckException p) {
                return p.getMqttMessage().getReasonCode();
            }
            throw e;
        }
    }

    private static List<Throwable> causes(Throwable e) {
        List<Throwable> all = new ArrayList<>();
        for (Throwable t = e; t != null && !all.contains(t); t = t.getCause()) {
            all.add(t);
        }
        return all;
    }
}
