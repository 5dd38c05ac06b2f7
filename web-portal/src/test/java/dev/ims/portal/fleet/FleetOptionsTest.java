package dev.ims.portal.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class FleetOptionsTest {

    @Test
    void noVariables_giveTheDefaults() {
        assertThat(FleetOptions.load(Map.of())).isEqualTo(FleetOptions.DEFAULTS);
        assertThat(FleetOptions.DEFAULTS.resync()).isEqualTo(Duration.ofMinutes(10));
        assertThat(FleetOptions.DEFAULTS.poll()).isEqualTo(Duration.ofSeconds(1));
        assertThat(FleetOptions.DEFAULTS.maxStreams()).isEqualTo(100);
    }

    @Test
    void variables_setResyncPollAndStreams_andAResyncOf0MeansBeforeEveryRead() {
        FleetOptions o = FleetOptions.load(Map.of(FleetOptions.FLEET_RESYNC_SECONDS, "0", FleetOptions.FLEET_POLL_MILLIS, " 250 ",
                FleetOptions.FLEET_EVENT_STREAMS, "0"));
        assertThat(o.resync()).isZero();
        assertThat(o.poll()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.maxStreams()).isZero();
    }

    @ParameterizedTest
    @CsvSource({"FLEET_RESYNC_SECONDS,-1", "FLEET_RESYNC_SECONDS,86401", "FLEET_POLL_MILLIS,99", "FLEET_POLL_MILLIS,soon",
        "FLEET_EVENT_STREAMS,10001"})
    void aBadValue_stopsTheStart_namingTheVariable(String name, String value) {
        assertThatThrownBy(() -> FleetOptions.load(Map.of(name, value))).isInstanceOf(ConfigException.class).hasMessageContaining(name)
                .hasMessageContaining("'" + value + "'");
    }
}
