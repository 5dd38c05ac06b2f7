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
