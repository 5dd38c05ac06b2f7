package dev.ims.client.meter;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ims.model.config.PrivateFiles;
import dev.ims.model.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Reads and writes a meter's state file. A save is atomic and durable: the new content is forced to the
 * disk before it replaces the old file, and the folder entry after, so a crash or a power cut leaves the
 * old or the new file, never a torn or empty one, and a save that returned survives a power cut (the relay
 * state is acknowledged to staff only after that). The file holds the meter's claim code: it and its
 * folder are the owner's only (0600, 0700); a load tightens an older version's wider file.
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

    /** @throws UncheckedIOException when the file cannot be written; the old file is then unchanged */
    public static void save(Path file, MeterState state) {
        try {
            replaceDurably(file, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(state));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save meter state " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces {@code file} with {@code content}: written to a temporary file in the same folder, forced
     * to the disk (fsync), moved over {@code file} atomically, then the folder forced too.
     */
    public static void replaceDurably(Path file, byte[] content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        PrivateFiles.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp", PrivateFiles.fileAttributes(parent));
        try {
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    c.write(b);
                }
                c.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        forceFolder(parent);
    }

    /** Makes a rename in {@code dir} durable. Where folders cannot be opened (Windows) the rename is as durable as the OS makes it. */
    private static void forceFolder(Path dir) {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // not supported on this platform: nothing more can be done from Java
        }
    }
}
