package dev.ims.portal.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.command.CommandKeyException;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigner;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.config.ImsSettings;
import dev.ims.portal.PortalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SigningKeysTest {

    @TempDir
    Path dir;

    @Test
    void firstStart_generatesAnOwnerOnlyKey_andListsItsPublicKeyBesideIt() throws Exception {
        Path keyFile = dir.resolve("keys").resolve("command-signing-key.json");
        CommandSigner signer = SigningKeys.loadOrCreate(keyFile);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile.getParent()))).isEqualTo("rwx------");
        assertThat(CommandKeySet.read(dir.resolve("keys").resolve("command-keys.json")).keys()).containsOnlyKeys(signer.keyId());
    }

    @Test
    void laterStart_usesTheSameKey() {
        Path keyFile = dir.resolve("keys").resolve("command-signing-key.json");
        String first = SigningKeys.loadOrCreate(keyFile).keyId();
        assertThat(SigningKeys.loadOrCreate(keyFile).keyId()).isEqualTo(first);
        assertThat(CommandKeySet.read(SigningKeys.keySetBeside(keyFile)).keys()).hasSize(1);
    }

    @Test
    void keysListedAlready_areKept_soThatARotatedKeyAndItsPredecessorAreBothTrusted() {
        Path oldKey = dir.resolve("keys").resolve("command-signing-key.json");
        String oldId = SigningKeys.loadOrCreate(oldKey).keyId();
        Path newKey = dir.resolve("keys").resolve("command-signing-key-2.json");
        String newId = SigningKeys.loadOrCreate(newKey).keyId();
        assertThat(newId).isNotEqualTo(oldId);
        assertThat(CommandKeySet.read(SigningKeys.keySetBeside(newKey)).keys()).containsOnlyKeys(oldId, newId);
    }

    @Test
    void unreadableKeyFile_failsNamingIt_andIsNotOverwritten() throws Exception {
        Path keyFile = dir.resolve("command-signing-key.json");
        Files.writeString(keyFile, "{\"not\":\"a key\"}");
        assertThatThrownBy(() -> SigningKeys.loadOrCreate(keyFile)).isInstanceOf(CommandKeyException.class).hasMessageContaining(keyFile.toString());
        assertThat(Files.readString(keyFile)).isEqualTo("{\"not\":\"a key\"}");
    }

    @Test
    void settings_defaultTheKeyUnderTheDataFolder_andTakeTheEnvironmentsFile() {
        ImsSettings ims = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of());
        PortalSettings byDefault = PortalSettings.load(ims, Map.of());
        assertThat(byDefault.commandSigningKeyFile()).isEqualTo(dir.resolve("keys").resolve("command-signing-key.json"));
        assertThat(byDefault.commandKeySetFile()).isEqualTo(dir.resolve("keys").resolve("command-keys.json").toAbsolutePath());
        Path elsewhere = dir.resolve("secret").resolve("k.json");
        PortalSettings configured = PortalSettings.load(ims, Map.of("COMMAND_SIGNING_KEY_FILE", elsewhere.toString()));
        assertThat(configured.commandSigningKeyFile()).isEqualTo(elsewhere);
        assertThat(configured.commandKeySetFile()).isEqualTo(dir.resolve("secret").resolve("command-keys.json").toAbsolutePath());
    }

    @Test
    void portalSettings_printNoSecret() {
        ImsSettings ims = ImsSettings.load(Map.of("IMS_DATA_DIR", dir.toString()), Map.of());
        String token = "a-metrics-token-of-some-length";
        assertThat(PortalSettings.load(ims, Map.of("METRICS_TOKEN", token)).toString()).doesNotContain(token).contains("<hidden>");
        assertThat(CommandSigningKey.generate().toString()).contains("<hidden>");
    }
}
