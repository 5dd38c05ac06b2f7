package dev.ims.client.enrol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the portal and the provisioning key come from: options over variables over the local portal's defaults. */
class EnrolmentSettingsTest {

    @TempDir
    Path dir;

    private ImsSettings settings(Map<String, String> env) {
        return ImsSettings.load(env, Map.of());
    }

    @Test
    void byDefault_thePortalIsOnThisMachineAtHttpPort_andTheKeyIsTheFileTheLocalPortalWrites() throws Exception {
        Map<String, String> env = Map.of("IMS_DATA_DIR", dir.toString(), "HTTP_PORT", "9090");
        assertThat(EnrolmentSettings.load(env, settings(env), null, null, null).hasKey()).isFalse();

        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve(EnrolmentSettings.DEFAULT_PROVISIONING_KEY_FILE), "  the-key\n");
        EnrolmentSettings s = EnrolmentSettings.load(env, settings(env), null, null, null);
        assertThat(s.portalUrl()).isEqualTo(URI.create("http://127.0.0.1:9090"));
        assertThat(s.provisioningKey()).isEqualTo("the-key");
        assertThat(s.retryFor()).isEqualTo(EnrolmentSettings.DEFAULT_RETRY_FOR);
        assertThat(s.toString()).doesNotContain("the-key");
    }

    @Test
    void theVariables_giveThePortal_theKey_andTheTimeout_andAnOptionFileWinsOverThem() throws Exception {
        Path file = dir.resolve("k");
        Files.writeString(file, "from-file");
        Map<String, String> env = Map.of("IMS_DATA_DIR", dir.toString(), EnrolmentSettings.IMS_PORTAL_URL, "https://portal.example:8443",
                EnrolmentSettings.IMS_PROVISIONING_KEY, "from-env", EnrolmentSettings.IMS_ENROL_TIMEOUT, "5m");
        EnrolmentSettings s = EnrolmentSettings.load(env, settings(env), null, null, null);
        assertThat(s.portalUrl()).isEqualTo(URI.create("https://portal.example:8443"));
        assertThat(s.provisioningKey()).isEqualTo("from-env");
        assertThat(s.retryFor()).isEqualTo(Duration.ofMinutes(5));

        EnrolmentSettings o = EnrolmentSettings.load(env, settings(env), "http://10.0.0.2:8080", file, Duration.ofSeconds(7));
        assertThat(o.portalUrl()).isEqualTo(URI.create("http://10.0.0.2:8080"));
        assertThat(o.provisioningKey()).isEqualTo("from-file");
        assertThat(o.retryFor()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aBadUrl_orANamedKeyFileThatIsMissing_isAConfigurationError_namingTheVariable() {
        Map<String, String> env = Map.of("IMS_DATA_DIR", dir.toString(), EnrolmentSettings.IMS_PORTAL_URL, "portal:8080");
        assertThatThrownBy(() -> EnrolmentSettings.load(env, settings(env), null, null, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(EnrolmentSettings.IMS_PORTAL_URL);
        Map<String, String> env2 = Map.of("IMS_DATA_DIR", dir.toString(), EnrolmentSettings.IMS_PROVISIONING_KEY_FILE, dir.resolve("nope").toString());
        assertThatThrownBy(() -> EnrolmentSettings.load(env2, settings(env2), null, null, null)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(EnrolmentSettings.IMS_PROVISIONING_KEY_FILE);
    }
}
