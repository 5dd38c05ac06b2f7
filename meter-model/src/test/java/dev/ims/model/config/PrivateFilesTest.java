package dev.ims.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions only");
    }

    @Test
    void createDirectories_createsEveryMissingFolder0700_andLeavesExistingParentsAlone() throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));

        PrivateFiles.createDirectories(dir.resolve("data/broker/conf"));

        assertThat(mode(dir)).isEqualTo("rwxr-xr-x");
        assertThat(mode(dir.resolve("data"))).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("data/broker"))).isEqualTo("rwx------");
        assertThat(mode(dir.resolve("data/broker/conf"))).isEqualTo("rwx------");
    }

    @Test
    void createDirectories_onAnExistingWideFolder_tightensIt() throws IOException {
        Path data = Files.createDirectory(dir.resolve("data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));

        PrivateFiles.createDirectories(data);

        assertThat(mode(data)).isEqualTo("rwx------");
    }

    @Test
    void restrict_makesAFile0600_andAMissingFileIsNoError() throws IOException {
        Path file = Files.writeString(dir.resolve("ims.mv"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));

        PrivateFiles.restrict(file);
        PrivateFiles.restrict(dir.resolve("absent"));

        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(dir.resolve("absent")).doesNotExist();
    }

    @Test
    void restrictTree_tightensFoldersAndFiles_butNotWhatASymbolicLinkPointsTo() throws IOException {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "not ours");
        Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
        Path root = Files.createDirectories(dir.resolve("broker/data/persistence"));
        Path file = Files.writeString(root.resolve("sessions.bin"), "s");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Files.createSymbolicLink(root.resolve("link"), outside);

        PrivateFiles.restrictTree(dir.resolve("broker"));

        assertThat(mode(dir.resolve("broker"))).isEqualTo("rwx------");
        assertThat(mode(root)).isEqualTo("rwx------");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(outside)).isEqualTo("rw-r--r--");
    }

    @Test
    void writeString_createsA0600File_andTightensTheOneItReplaces() throws IOException {
        Path fresh = dir.resolve("claim-codes.txt");
        PrivateFiles.writeString(fresh, "IMS-1 ABCD\n");
        Path old = Files.writeString(dir.resolve("old.txt"), "old");
        Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
        PrivateFiles.writeString(old, "new");

        assertThat(fresh).hasContent("IMS-1 ABCD");
        assertThat(mode(fresh)).isEqualTo("rw-------");
        assertThat(old).hasContent("new");
        assertThat(mode(old)).isEqualTo("rw-------");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("claim-codes.txt", "old.txt");
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
