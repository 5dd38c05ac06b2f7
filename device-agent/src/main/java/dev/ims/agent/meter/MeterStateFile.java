package dev.ims.agent.meter;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Reads and writes a meter's state file. A save is atomic: a crash leaves the old or the new file. The file
 * holds the meter's claim code: it and its folder are the owner's only (0600, 0700); a load tightens an
 * older version's wider file.
 */
public final class MeterStateFile {

    private static final ObjectMapper MAPPER = Json.mapper();

    private MeterStateFile() {}

    public static MeterState load(Path file) {
        try {
            PrivateFiles.restrict(file);
            return MAPPER.readValue(file.toFile(), MeterState.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read meter state " + file + ": " + e.getMessage(), e);
        }
    }

    public static void save(Path file, MeterState state) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            PrivateFiles.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp", PrivateFiles.fileAttributes(parent));
            MAPPER.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), state);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save meter state " + file + ": " + e.getMessage(), e);
        }
    }
}
