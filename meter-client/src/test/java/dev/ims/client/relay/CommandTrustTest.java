package dev.ims.client.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.ims.model.command.CommandKeyException;
import dev.ims.model.command.CommandKeySet;
import dev.ims.model.command.CommandSigningKey;
import dev.ims.model.command.CommandVerifier;
import dev.ims.model.command.RelayCommand;
import dev.ims.model.command.Verification;
import dev.ims.model.reading.RelayState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class CommandTrustTest {

    private static final CommandSigningKey KEY = CommandSigningKey.generate();

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(CommandTrust.class);

    @BeforeEach
    void capture() {
        log.start();
        logger.addAppender(log);
    }

    @AfterEach
    void release() {
        logger.detachAppender(log);
    }

    private static RelayCommand signed() {
        return KEY.signer().sign("IMS-TRUST-1", new RelayCommand("c", RelayState.OFF, Instant.now()), Duration.ofMinutes(5));
    }

    @Test
    void keySetFile_present_trustsItsKeys() {
        Path file = dir.resolve("command-keys.json");
        CommandKeySet.of(KEY.publicKey()).write(file);
        assertThat(CommandTrust.load(file).verify("IMS-TRUST-1", signed(), Instant.now()).ok()).isTrue();
        assertThat(log.list).noneMatch(e -> e.getLevel() == Level.WARN);
    }

    @Test
    void keySetFile_missing_failsClosed_andSaysSoOnceNamingTheOption() {
        CommandVerifier verifier = CommandTrust.load(dir.resolve("absent.json"));
        assertThat(verifier.verify("IMS-TRUST-1", signed(), Instant.now()).outcome()).isEqualTo(Verification.Outcome.UNKNOWN_KEY);
        assertThat(log.list).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .satisfies(e -> assertThat(e.getFormattedMessage()).contains("--command-keys").contains("absent.json"));
    }

    @Test
    void keySetFile_unreadable_stopsTheStart_namingTheFile() throws Exception {
        Path file = Files.writeString(dir.resolve("command-keys.json"), "{\"keys\":[{\"id\":\"x\"}]}");
        assertThatThrownBy(() -> CommandTrust.load(file)).isInstanceOf(CommandKeyException.class).hasMessageContaining(file.toString());
    }
}
