package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.ims.client.mqtt.MqttClients;
import dev.ims.embedded.broker.BrokerTls;
import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.testing.BrokerIdentities;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.ReadingCodec;
import dev.ims.model.security.Credential;
import dev.ims.store.testing.StoredReadings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meter and ingest both over the embedded broker's TLS listener: the ingest trusts the broker's CA
 * ({@code MQTT_CA_FILE}) and logs in with its password; the meter presents a client certificate the CA issued for its
 * ID and no password. A reading published over TLS is stored.
 */
class IngestTlsIT {

    @TempDir
    Path dir;

    @Test
    void readingPublishedOverTls_byAMeterWithACertificate_isStoredByAnIngestOverTls() throws Exception {
        // On the broker IngestIT starts (its TLS listener), not a second HiveMQ in this JVM: one started and stopped
        // beside the shared one was seen stalling its shared-subscription deliveries to the tests that came next.
        IngestIT.startStack();
        EmbeddedBroker broker = IngestIT.broker;
        BrokerIdentities ids = IngestIT.ids;
        String meter = "IMS-INGEST-TLS-1";
        ids.meter(meter);
        long refusedBefore = broker.refusals().connects();
        BrokerTls tls = broker.tls().orElseThrow();
        // Its own ingest, alone (not in the shared group) and on its own database, like IngestMemoryIT's.
        ImsSettings ims = ImsSettings.load(Map.of("TIME_ZONE", "UTC", ImsSettings.MQTT_CA_FILE, tls.caFile().toString(), "MONGO_DATABASE", "tls"),
                        Map.of())
                .withMqttUrl(broker.tlsUrl()).withMongoUri(IngestIT.store.connectionString()).withMqttCredential(ids.ingest("ingest-tls-it"));
        IngestService ingest = new IngestService(IngestSettings.of(ims, "ingest-tls-it").alone());
        ingest.start().toCompletableFuture().get();
        try {
            BrokerTls.IssuedCertificate issued = tls.issueClientCertificate(meter, Duration.ofDays(1));
            Path cert = dir.resolve("meter.crt.pem");
            Path key = dir.resolve("meter.key.pem");
            PrivateFiles.writeString(cert, issued.certificatePem());
            PrivateFiles.writeString(key, issued.privateKeyPem());
            ImsSettings meterSettings = ImsSettings.load(Map.of(ImsSettings.MQTT_CA_FILE, tls.caFile().toString()), Map.of())
                    .withMqttClientCertificate(cert, key);
            Mqtt5BlockingClient m = MqttClients.builder(meterSettings, MqttEndpoint.parse(broker.tlsUrl()), new Credential(meter, ""),
                    Duration.ofSeconds(1), Duration.ofSeconds(1), () -> true).buildBlocking();
            m.connect();
            m.publishWith().topic("meters/" + meter + "/reading").qos(MqttQos.AT_LEAST_ONCE)
                    .payload(new ReadingCodec().encode(Reading.of(meter, 0, Instant.now().minusSeconds(60), 12.5, null, null, null, null, null)))
                    .send();
            m.disconnect();

            await().atMost(Duration.ofSeconds(20)).until(() -> StoredReadings.count(IngestIT.mongo.getDatabase("tls"), meter) == 1L);
            assertThat(broker.refusals().connects()).isEqualTo(refusedBefore);
        } finally {
            ingest.stop().toCompletableFuture().get();
        }
    }
}
