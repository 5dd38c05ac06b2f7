package dev.ims.model.command;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Writing key files: atomically (temporary file, fsync, rename), private ones readable by the owner only. */
final class KeyFiles {

    private KeyFiles() {}

    /**
     * Replaces {@code file} with {@code content}. With {@code secret}, a folder this creates is {@code 0700}
     * and the file is {@code 0600} from its first byte (the temporary file is created so), where the file
     * system has POSIX permissions.
     */
    static void write(Path file, byte[] content, boolean secret) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(parent)) {
            if (secret && posix) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(parent);
            }
        }
        Path tmp = secret && posix
                ? Files.createTempFile(parent, file.getFileName().toString(), ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(content);
                while (b.hasRemaining()) {
                    c.write(b);
                }
                c.force(true);
            }
            if (!secret && posix) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
