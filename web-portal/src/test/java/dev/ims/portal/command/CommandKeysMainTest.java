package dev.ims.portal.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigningKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key rotation with {@code ./ims keys}: prepare a new key, switch, retire the old one; never retire the key in use. */
class CommandKeysMainTest {

    @TempDir
    Path dir;

    private int run(Map<String, String> env, String... args) {
        CommandKeysMain main = new CommandKeysMain();
        main.environment = env;
        String[] all = new String[args.length + 2];
        all[0] = "--data-dir";
        all[1] = dir.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return CommandKeysMain.run(main, all);
    }

    @Test
    void rotation_newKeyIsListedBesideTheOld_thePortalSwitches_andTheOldIsRetired() {
        Path keys = dir.resolve("keys");
        String oldId = SigningKeys.loadOrCreate(keys.resolve("command-signing-key.json")).keyId();
        Path newFile = keys.resolve("command-signing-key-2.json");

        assertThat(run(Map.of(), "new", newFile.toString())).isZero();
        String newId = CommandSigningKey.read(newFile).keyId();
        assertThat(CommandKeySet.read(keys.resolve("command-keys.json")).keys()).containsOnlyKeys(oldId, newId);
        assertThat(run(Map.of(), "retire", oldId)).as("the portal still signs with it").isNotZero();

        Map<String, String> switched = Map.of("COMMAND_SIGNING_KEY_FILE", newFile.toString());
        assertThat(SigningKeys.loadOrCreate(newFile).keyId()).isEqualTo(newId);
        assertThat(run(switched, "retire", oldId)).isZero();
        assertThat(CommandKeySet.read(keys.resolve("command-keys.json")).keys()).containsOnlyKeys(newId);
        assertThat(run(switched, "retire", newId)).as("the key in use").isNotZero();
    }

    @Test
    void newKey_neverOverwritesAFile() throws Exception {
        Path existing = Files.writeString(dir.resolve("taken.json"), "x");
        assertThat(run(Map.of(), "new", existing.toString())).isNotZero();
        assertThat(Files.readString(existing)).isEqualTo("x");
    }

    @Test
    void unreadableKeySet_isReportedInOneLine_withExitCode1() throws Exception {
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys").resolve("command-keys.json"), "not json");
        assertThat(run(Map.of(), "list")).isEqualTo(1);
    }
}
