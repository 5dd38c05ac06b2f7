package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.bridge.homeassistant.HaMirrorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code --ha-*} options of {@code firmware-bridge}: the home broker, its credentials and the topic prefixes. */
class BridgeMainHomeAssistantOptionsTest {

    private static BridgeMain parsed(String... args) {
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs(args);
        return main;
    }

    @Test
    void withoutAUrl_thereIsNoMirror() {
        assertThat(parsed().homeAssistant(Map.of("IMS_HA_PASSWORD", "x"))).isNull();
    }

    @Test
    void credentialsWithoutAUrl_areAParameterError(@TempDir Path dir) {
        assertThatThrownBy(() -> parsed("--ha-username", "ha").homeAssistant(Map.of())).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--ha-mqtt-url");
    }

    @Test
    void theUrl_andDefaults() {
        HaMirrorSettings s = parsed("--ha-mqtt-url", "mqtt://homeassistant.local").homeAssistant(Map.of());
        assertThat(s.endpoint().url()).isEqualTo("tcp://homeassistant.local:1883");
        assertThat(s.discoveryPrefix()).isEqualTo("homeassistant");
        assertThat(s.statePrefix()).isEqualTo("ims");
        assertThat(s.username()).isNull();
        assertThat(s.password()).isNull();
        assertThat(parsed("--ha-mqtt-url", "mqtts://ha.lan", "--ha-discovery-prefix", "ha", "--ha-state-topic-prefix", "home/ims")
                .homeAssistant(Map.of())).satisfies(t -> {
                    assertThat(t.endpoint().url()).isEqualTo("ssl://ha.lan:8883");
                    assertThat(t.discoveryPrefix()).isEqualTo("ha");
                    assertThat(t.statePrefix()).isEqualTo("home/ims");
                });
    }

    @Test
    void thePassword_comesFromTheFile_elseTheEnvironment_andIsNeverPrinted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ha.password");
        Files.writeString(file, "from-file\n");
        HaMirrorSettings s = parsed("--ha-mqtt-url", "mqtt://ha:1883", "--ha-username", "ims", "--ha-password-file", file.toString())
                .homeAssistant(Map.of("IMS_HA_PASSWORD", "from-env"));
        assertThat(s.password()).isEqualTo("from-file");
        assertThat(s.toString()).doesNotContain("from-file").contains("<hidden>");
        assertThat(parsed("--ha-mqtt-url", "mqtt://ha:1883", "--ha-username", "ims").homeAssistant(Map.of("IMS_HA_PASSWORD", "from-env")).password())
                .isEqualTo("from-env");
    }

    @Test
    void aPasswordWithoutAUser_anUnreadableFile_aBadUrlOrPrefix_areParameterErrors(@TempDir Path dir) {
        assertThatThrownBy(() -> parsed("--ha-mqtt-url", "mqtt://ha").homeAssistant(Map.of("IMS_HA_PASSWORD", "secret")))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--ha-username").hasMessageNotContaining("secret");
        assertThatThrownBy(() -> parsed("--ha-mqtt-url", "mqtt://ha", "--ha-username", "u", "--ha-password-file", dir.resolve("none").toString())
                .homeAssistant(Map.of())).isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--ha-password-file");
        assertThatThrownBy(() -> parsed("--ha-mqtt-url", "http://ha").homeAssistant(Map.of())).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--ha-mqtt-url");
        assertThatThrownBy(() -> parsed("--ha-mqtt-url", "mqtt://ha", "--ha-discovery-prefix", "ha/#").homeAssistant(Map.of()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--ha-discovery-prefix");
    }
}
