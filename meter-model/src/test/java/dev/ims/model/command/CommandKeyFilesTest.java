package dev.ims.model.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import dev.ims.model.reading.RelayState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandKeyFilesTest {

    @TempDir
    Path dir;

    @Test
    void signingKey_writtenAndReadBack_signsWhatTheWrittenPublicKeyVerifies() {
        CommandSigningKey key = CommandSigningKey.generate();
        Path file = dir.resolve("keys").resolve("command-signing-key.json");
        key.write(file);
        CommandSigningKey read = CommandSigningKey.read(file);
        assertThat(read.keyId()).isEqualTo(key.keyId());
        RelayCommand c = read.signer().sign("IMS-METER-1", new RelayCommand("c", RelayState.ON, Instant.now()), Duration.ofMinutes(5));
        assertThat(new CommandVerifier(CommandKeySet.of(key.publicKey())).verify("IMS-METER-1", c, Instant.now()).ok()).isTrue();
    }

    @Test
    void signingKey_isOwnerOnly_inAnOwnerOnlyFolder() throws Exception {
        Path file = dir.resolve("keys").resolve("command-signing-key.json");
        CommandSigningKey.generate().write(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void signingKey_printsAsHidden() {
        CommandSigningKey key = CommandSigningKey.generate();
        String privateBase64 = CommandKeys.encodePrivate(key.privateKey());
        assertThat(key.toString()).contains("<hidden>").contains(key.keyId()).doesNotContain(privateBase64);
        assertThat(key.signer().toString()).contains("<hidden>").doesNotContain(privateBase64);
    }

    @Test
    void missingSigningKeyFile_isNamedInTheError() {
        Path file = dir.resolve("nope.json");
        assertThatThrownBy(() -> CommandSigningKey.read(file)).isInstanceOf(CommandKeyException.class).hasMessageContaining(file.toString());
    }

    @Test
    void signingKeyFile_whosePublicKeyIsAnotherPairs_isRefused() throws Exception {
        CommandSigningKey a = CommandSigningKey.generate();
        CommandSigningKey b = CommandSigningKey.generate();
        Path file = dir.resolve("mixed.json");
        new CommandSigningKey(b.keyId(), a.privateKey(), b.publicKey()).write(file);
        assertThatThrownBy(() -> CommandSigningKey.read(file)).isInstanceOf(CommandKeyException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("not one key pair");
    }

    @Test
    void keySet_writtenAndReadBack_keepsEveryKeyInOrder() {
        CommandSigningKey a = CommandSigningKey.generate();
        CommandSigningKey b = CommandSigningKey.generate();
        Path file = dir.resolve("command-keys.json");
        CommandKeySet.of(a.publicKey(), b.publicKey()).write(file);
        assertThat(CommandKeySet.read(file).keys().keySet()).containsExactly(a.keyId(), b.keyId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{}", "{\"keys\":{}}", "{\"keys\":[{\"id\":\"x\"}]}",
            "{\"keys\":[{\"id\":\"x\",\"publicKey\":\"bm90IGEga2V5\"}]}"})
    void malformedKeySet_isRefused_namingTheFile(String content) throws Exception {
        Path file = dir.resolve("command-keys.json");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        assertThatThrownBy(() -> CommandKeySet.read(file)).isInstanceOf(CommandKeyException.class).hasMessageContaining(file.toString());
    }

    @Test
    void keySetEntry_whoseIdIsNotItsKeysId_isRefused() throws Exception {
        CommandSigningKey a = CommandSigningKey.generate();
        Path file = dir.resolve("command-keys.json");
        Files.writeString(file, "{\"keys\":[{\"id\":\"0000000000000000\",\"publicKey\":\"" + CommandKeys.encodePublic(a.publicKey()) + "\"}]}");
        assertThatThrownBy(() -> CommandKeySet.read(file)).isInstanceOf(CommandKeyException.class).hasMessageContaining(a.keyId());
    }
}
