package dev.ims.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.embedded.broker.EmbeddedBrokerOptions;
import dev.ims.embedded.store.EmbeddedStore;
import dev.ims.embedded.store.EmbeddedStoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded broker's and store's files under the data directory are the running account's alone:
 * folders 0700, files 0600, also when an older version left them world-readable.
 */
class DataPermissionsIT {

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
    }

    @Test
    void store_createsItsFolder0700_andItsFile0600() throws IOException {
        Path data = dir.resolve("data");
        try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, data.resolve("store")))) {
            assertThat(mode(data)).isEqualTo("rwx------");
            assertThat(mode(data.resolve("store"))).isEqualTo("rwx------");
            assertThat(mode(data.resolve("store").resolve(EmbeddedStoreOptions.FILE_NAME))).isEqualTo("rw-------");
        }
    }

    @Test
    void store_tightensAWorldReadableFileAnOlderVersionLeft() throws IOException {
        Path storeDir = dir.resolve("store");
        EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, storeDir)).close();
        Path file = storeDir.resolve(EmbeddedStoreOptions.FILE_NAME);
        Files.setPosixFilePermissions(storeDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        try (EmbeddedStore store = EmbeddedStore.start(EmbeddedStoreOptions.onDisk(0, storeDir))) {
            assertThat(mode(storeDir)).isEqualTo("rwx------");
            assertThat(mode(file)).isEqualTo("rw-------");
        }
    }

    @Test
    void broker_createsEveryFolder0700_andItsConfigFiles0600() throws IOException {
        Path brokerDir = dir.resolve("data").resolve("broker");
        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, brokerDir))) {
            assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
            for (String folder : List.of("", "conf", "data", "extensions")) {
                assertThat(mode(brokerDir.resolve(folder))).as(folder).isEqualTo("rwx------");
            }
            assertThat(mode(brokerDir.resolve("conf/config.xml"))).isEqualTo("rw-------");
            assertThat(mode(brokerDir.resolve("conf/logback.xml"))).isEqualTo("rw-------");
        }
    }

    @Test
    void broker_tightensEveryFolderAndFileAnOlderVersionLeftWide() throws IOException {
        Path brokerDir = dir.resolve("broker");
        EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, brokerDir)).close();
        try (Stream<Path> all = Files.walk(brokerDir)) {
            all.forEach(p -> chmod(p, Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }

        try (EmbeddedBroker broker = EmbeddedBroker.start(EmbeddedBrokerOptions.of(0, brokerDir))) {
            try (Stream<Path> all = Files.walk(brokerDir.resolve("conf"))) {
                assertThat(all).allSatisfy(p -> assertThat(mode(p)).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------"));
            }
            assertThat(mode(brokerDir)).isEqualTo("rwx------");
            assertThat(mode(brokerDir.resolve("data"))).isEqualTo("rwx------");
            // Every folder of the persistence, the earlier run's and those HiveMQ created at this start: the
            // files in them (created with the umask's mode while running) are out of other accounts' reach.
            try (Stream<Path> folders = Files.walk(brokerDir)) {
                assertThat(folders.filter(Files::isDirectory).filter(p -> !mode(p).equals("rwx------")).toList()).isEmpty();
            }
        }
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chmod(Path p, String mode) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
