package dev.ims.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.client.mqtt.MqttClients;
import dev.ims.embedded.FreePorts;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.security.Credential;
import dev.ims.store.testing.StoredReadings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-command stack's TLS listener end to end: a meter provisioned and given a client certificate with the CLI
 * ({@code ./ims meters provision}, {@code ./ims meters certificate}) connects over {@code ssl://} with the stack's CA,
 * its certificate and no password, and its reading is stored by the stack's ingest.
 */
class LocalStackTlsIT {

    @TempDir
    static Path dir;

    private static LocalStack stack;
    private static Map<String, String> env;

    @BeforeAll
    static void start() {
        env = Map.of("TIME_ZONE", "UTC", "HTTP_PORT", "0", "MQTT_PORT", "0", "MQTT_TLS_PORT", "0",
                "MONGO_PORT", Integer.toString(FreePorts.resolve(0)), "IMS_DATA_DIR", dir.resolve("data").toString(),
                "IMS_ADMIN_PASSWORD", "tls-test-password");
        stack = LocalStack.start(ImsSettings.load(env, Map.of()), new LocalStack.Options(0, 0, 3600, Duration.ZERO));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void stack_offersTls_withItsCaUnderTheDataFolder() throws Exception {
        assertThat(stack.mqttTlsUrl()).startsWith("ssl://127.0.0.1:");
        assertThat(stack.caFile()).isEqualTo(dir.resolve("data").resolve("tls").resolve("ca.pem").toAbsolutePath());
        assertThat(Files.readString(stack.caFile())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.getPosixFilePermissions(stack.caFile().getParent())).isEqualTo(PrivateFiles.FOLDER);
    }

    @Test
    void meterWithACertificateFromTheCli_connectsOverTlsWithoutPassword_andItsReadingIsStored() throws Exception {
        String meter = "IMS-TLSE2E-1";
        assertThat(cli("provision", "--meter-id", meter)).contains("meter ID:");
        Path out = dir.resolve("certs");
        String printed = cli("certificate", meter, "--days", "30", "--out", out.toString());
        Path cert = out.resolve(meter + ".crt.pem");
        Path key = out.resolve(meter + ".key.pem");
        assertThat(printed).contains(cert.toString()).contains(key.toString()).doesNotContain("PRIVATE KEY");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PrivateFiles.FILE);

        ImsSettings meterSettings = ImsSettings.load(Map.of(ImsSettings.MQTT_CA_FILE, stack.caFile().toString(),
                ImsSettings.MQTT_CERT_FILE, cert.toString(), ImsSettings.MQTT_KEY_FILE, key.toString()), Map.of());
        Mqtt5BlockingClient c = MqttClients.builder(meterSettings, MqttEndpoint.parse(stack.mqttTlsUrl()), new Credential(meter, ""),
                Duration.ofSeconds(1), Duration.ofSeconds(1), () -> true).buildBlocking();
        c.connect();
        try {
            c.publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new ReadingCodec().encode(Reading.of(meter, 1, Instant.now().minusSeconds(5), 42.5, null, null, null, null, null)))
                    .send();
        } finally {
            c.disconnect();
        }
        try (MongoClient mongo = MongoClients.create(stack.mongoUri())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> StoredReadings.count(mongo.getDatabase("ims"), meter) == 1L);
        }

        // Decommissioned: its certificate no longer gets it in, and no new one is issued.
        cli("decommission", meter, "--reason", "test");
        Mqtt5BlockingClient again = MqttClients.builder(meterSettings, MqttEndpoint.parse(stack.mqttTlsUrl()), new Credential(meter, ""),
                Duration.ofSeconds(1), Duration.ofSeconds(1), () -> true).buildBlocking();
        try {
            again.connect();
            throw new AssertionError("a decommissioned meter's certificate was accepted");
        } catch (Mqtt5ConnAckException e) {
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);
        }
        assertThat(cliExit("certificate", meter, "--out", out.resolve("again").toString())).isEqualTo(1);
        assertThat(out.resolve("again")).doesNotExist();
    }

    @Test
    void certificateForAMeterNotEnrolled_isRefused() {
        assertThat(cliExit("certificate", "IMS-TLSE2E-NOBODY", "--out", dir.resolve("nobody").toString())).isEqualTo(1);
        assertThat(dir.resolve("nobody")).doesNotExist();
    }

    private static String cli(String... args) {
        StringWriter printed = new StringWriter();
        MetersMain main = new MetersMain();
        main.environment = env;
        assertThat(MetersMain.run(main, new PrintWriter(printed, true), args)).as(printed.toString()).isZero();
        return printed.toString();
    }

    private static int cliExit(String... args) {
        MetersMain main = new MetersMain();
        main.environment = env;
        return MetersMain.run(main, new PrintWriter(new StringWriter(), true), args);
    }
}
