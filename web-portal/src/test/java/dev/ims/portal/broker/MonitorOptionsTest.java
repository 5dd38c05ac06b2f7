package dev.ims.portal.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorOptionsTest {

    @TempDir
    Path data;

    private ImsSettings ims() {
        return ImsSettings.load(Map.of("IMS_DATA_DIR", data.toString()), Map.of());
    }

    @Test
    void byDefault_noIdentity_aMinuteOfLag_andTenMinutesForDrops() {
        MonitorOptions o = MonitorOptions.load(ims(), Map.of());
        assertThat(o.credential()).isNull();
        assertThat(o.ingestLagAlarm()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.droppedWindow()).isEqualTo(Duration.ofMinutes(10));
        assertThat(o.sampleInterval()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theIdentity_comesFromTheEnvironment_elseFromTheIdentityFile_andItsPasswordIsNeverPrinted() {
        ServiceCredentials.write(data, new Credential("ims-monitor", "from-the-file-secret"));
        assertThat(MonitorOptions.load(ims(), Map.of()).credential()).isEqualTo(new Credential("ims-monitor", "from-the-file-secret"));
        MonitorOptions env = MonitorOptions.load(ims(), Map.of("MQTT_MONITOR_USERNAME", "ims-monitor-2", "MQTT_MONITOR_PASSWORD", "env-secret"));
        assertThat(env.credential()).isEqualTo(new Credential("ims-monitor-2", "env-secret"));
        assertThat(env.toString()).contains("ims-monitor-2").doesNotContain("env-secret");
    }

    @Test
    void badSettings_stopTheStart_namingTheVariable() {
        assertThatThrownBy(() -> MonitorOptions.load(ims(), Map.of("MQTT_MONITOR_USERNAME", "ims-monitor")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("MQTT_MONITOR_PASSWORD");
        assertThatThrownBy(() -> MonitorOptions.load(ims(), Map.of("ALARM_INGEST_LAG_SECONDS", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ALARM_INGEST_LAG_SECONDS");
        assertThatThrownBy(() -> MonitorOptions.load(ims(), Map.of("ALARM_BROKER_DROPPED_MINUTES", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("ALARM_BROKER_DROPPED_MINUTES");
        assertThat(MonitorOptions.load(ims(), Map.of("ALARM_INGEST_LAG_SECONDS", "300")).ingestLagAlarm()).isEqualTo(Duration.ofMinutes(5));
    }
}
