package dev.ims.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ImsSettingsTest {

    @Test
    void defaults_areTheContractsOnes() {
        ImsSettings s = ImsSettings.load(Map.of(), Map.of());
        assertThat(s.mqttUrl()).isEmpty();
        assertThat(s.mongoUri()).isEmpty();
        assertThat(s.mongoDatabase()).isEqualTo("ims");
        assertThat(s.httpPort()).isEqualTo(8080);
        assertThat(s.topicPrefix()).isEqualTo("meters");
        assertThat(s.timeZone()).isEqualTo(ZoneId.systemDefault());
        assertThat(s.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(s.mqttPort()).isEqualTo(1883);
        assertThat(s.mongoPort()).isEqualTo(27017);
    }

    @Test
    void tlsSettings_comeFromTheEnvironmentOrTheOptions_theTlsPortDefaultsTo8883() {
        ImsSettings none = ImsSettings.load(Map.of(), Map.of());
        assertThat(none.mqttCaFile()).isNull();
        assertThat(none.mqttCertFile()).isNull();
        assertThat(none.mqttTlsPort()).isEqualTo(8883);

        ImsOptions options = new ImsOptions();
        new picocli.CommandLine(options).parseArgs("--mqtt-ca-file", "/opt/ca.pem", "--mqtt-tls-port", "0");
        ImsSettings s = options.settings(Map.of("MQTT_CA_FILE", "/etc/ims/ca.pem", "MQTT_CERT_FILE", "m.crt.pem", "MQTT_KEY_FILE",
                "m.key.pem", "MQTT_TLS_PORT", "8884"));
        assertThat(s.mqttCaFile()).isEqualTo(Path.of("/opt/ca.pem"));
        assertThat(s.mqttCertFile()).isEqualTo(Path.of("m.crt.pem"));
        assertThat(s.mqttKeyFile()).isEqualTo(Path.of("m.key.pem"));
        assertThat(s.mqttTlsPort()).isZero();
    }

    @Test
    void clientCertificateWithoutItsKey_orTheOtherWayRound_isAConfigError() {
        assertThatThrownBy(() -> ImsSettings.load(Map.of("MQTT_CERT_FILE", "m.crt.pem"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MQTT_KEY_FILE");
        assertThatThrownBy(() -> ImsSettings.load(Map.of("MQTT_KEY_FILE", "m.key.pem"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MQTT_CERT_FILE");
    }

    @Test
    void optionOverridesEnvironment() {
        ImsSettings s = ImsSettings.load(Map.of("HTTP_PORT", "9000", "TIME_ZONE", "UTC"), Map.of("HTTP_PORT", "9100"));
        assertThat(s.httpPort()).isEqualTo(9100);
        assertThat(s.timeZone()).isEqualTo(ZoneId.of("UTC"));
    }

    @Test
    void badValues_failWithTheVariablesName() {
        assertThatThrownBy(() -> ImsSettings.load(Map.of("HTTP_PORT", "eighty"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("HTTP_PORT");
        assertThatThrownBy(() -> ImsSettings.load(Map.of("TIME_ZONE", "Mars/Olympus"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TIME_ZONE");
        assertThatThrownBy(() -> ImsSettings.load(Map.of("TOPIC_PREFIX", "a/#"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("TOPIC_PREFIX");
    }

    @Test
    void secrets_printAsHidden() {
        ImsSettings s = ImsSettings.load(Map.of("MQTT_PASSWORD", "s3cret", "MONGO_URI", "mongodb://u:pw@db:27017",
                "IMS_ADMIN_PASSWORD", "admin!"), Map.of());
        assertThat(s.toString()).doesNotContain("s3cret", "pw@", "admin!").contains("<hidden>");
    }

    @Test
    void mqttUrl_parsesSchemesAndDefaultPorts() {
        assertThat(MqttEndpoint.parse("tcp://broker:1884")).isEqualTo(new MqttEndpoint("broker", 1884, false));
        assertThat(MqttEndpoint.parse("mqtts://broker")).isEqualTo(new MqttEndpoint("broker", 8883, true));
        assertThatThrownBy(() -> MqttEndpoint.parse("http://broker")).isInstanceOf(ConfigException.class);
    }
}
