package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a standalone ingest finds its backlog session's identity, {@code <client ID>-backlog}. */
class IngestSettingsTest {

    @TempDir
    Path dir;

    private ImsSettings ims(Map<String, String> env) {
        return ImsSettings.load(Map.of(ImsSettings.IMS_DATA_DIR, dir.toString()), env);
    }

    @Test
    void backlogCredential_withMqttUsername_isMqttBacklogPasswordUnderTheBacklogName() {
        ImsSettings ims = ims(Map.of(ImsSettings.MQTT_USERNAME, "ims-ingest-1", ImsSettings.MQTT_PASSWORD, "first"));
        assertThat(IngestSettings.backlogCredential(ims, "ims-ingest-1", Map.of(IngestSettings.MQTT_BACKLOG_PASSWORD, "second")))
                .contains(new Credential("ims-ingest-1-backlog", "second"));
    }

    @Test
    void backlogCredential_withoutPassword_isTheIdentityFile_orNone() {
        ImsSettings ims = ims(Map.of());
        assertThat(IngestSettings.backlogCredential(ims, "ims-ingest-1", Map.of())).isEmpty();
        ServiceCredentials.write(dir, new Credential("ims-ingest-1-backlog", "from-file"));
        assertThat(IngestSettings.backlogCredential(ims, "ims-ingest-1", Map.of()))
                .contains(new Credential("ims-ingest-1-backlog", "from-file"));
    }

    @Test
    void backlogCredential_underAnotherName_isRefused() {
        IngestSettings settings = IngestSettings.of(ims(Map.of()), "ims-ingest-1");
        assertThatThrownBy(() -> settings.withBacklog(new Credential("ims-ingest-2-backlog", "x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ims-ingest-1-backlog");
        assertThat(settings.withBacklog(new Credential("ims-ingest-1-backlog", "x")).alone().backlogCredential()).isNotNull();
    }
}
