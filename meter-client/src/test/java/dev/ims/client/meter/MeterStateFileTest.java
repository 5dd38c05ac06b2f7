package dev.ims.client.meter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MeterStateFileTest {

    @TempDir
    Path dir;

    @Test
    void save_writesTheClaimCodeIntoA0600FileInA0700Folder_andLoadReadsItBack() throws IOException {
        MeterState state = MeterState.newMeter(1000, null);
        Path file = dir.resolve("fleet").resolve(state.meterId() + ".json");

        MeterStateFile.save(file, state);

        assertThat(mode(file.getParent())).isEqualTo("rwx------");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(MeterStateFile.load(file).claimCode()).isEqualTo(state.claimCode());
    }

    @Test
    void load_tightensAWorldReadableFileAnOlderVersionLeft() throws IOException {
        MeterState state = MeterState.newMeter(1000, null);
        Path file = dir.resolve(state.meterId() + ".json");
        MeterStateFile.save(file, state);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        MeterStateFile.load(file);

        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void save_ofANewMeter_twice_loadsBackTheSameState_andLeavesNoTemporaryFile() {
        MeterState s = MeterState.newMeter(1234.5, Instant.parse("2026-01-05T00:00:00Z"));
        Path file = dir.resolve("m.json");
        MeterStateFile.save(file, s);
        MeterStateFile.save(file, s);
        assertThat(MeterStateFile.load(file)).isEqualTo(s);
        assertThat(dir.toFile().list()).containsExactly("m.json");
    }

    @Test
    void exportRegister_survivesASave_andAFileWithoutItLoadsAsNone() throws IOException {
        MeterState s = MeterState.newMeter(1234.5, Instant.parse("2026-06-21T10:00:00Z"))
                .afterReading(1234.6, 42.25, Instant.parse("2026-06-21T10:15:00Z"));
        Path file = dir.resolve("m.json");
        MeterStateFile.save(file, s);
        assertThat(MeterStateFile.load(file).exportKwh()).isEqualTo(42.25);
        assertThat(MeterStateFile.load(file)).isEqualTo(s);
        // A reading without the export register keeps the last one known.
        assertThat(s.afterReading(1234.7, null, Instant.parse("2026-06-21T10:30:00Z")).exportKwh()).isEqualTo(42.25);

        String older = Files.readString(file).replaceAll(",\\s*\"exportKwh\"\\s*:\\s*42.25", "");
        assertThat(older).doesNotContain("exportKwh");
        Files.writeString(file, older);
        MeterState loaded = MeterStateFile.load(file);
        assertThat(loaded.exportKwh()).isNull();
        assertThat(loaded.energyKwh()).isEqualTo(1234.6);
        assertThat(loaded.nextSeq()).isEqualTo(1);
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
