package dev.ims.model.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Files and folders under the data directory ({@code IMS_DATA_DIR}) that only the account running the
 * stack may read: folders {@code rwx------} (0700), files {@code rw-------} (0600). The store's file holds
 * staff sessions and readings, the agents' state files their claim codes; another local user must neither
 * read them nor plant a file in them.
 *
 * <p>Every method is a no-op where the file system has no POSIX permissions (Windows): there the user's
 * profile folder's ACLs apply. Permissions are set explicitly after creation, so a wide umask cannot widen
 * them; a folder or file that already existed (an older version's data) is tightened too. Symbolic links
 * are left alone, never followed by {@link #restrictTree}.
 */
public final class PrivateFiles {

    /** rwx------ */
    public static final Set<PosixFilePermission> FOLDER = PosixFilePermissions.fromString("rwx------");
    /** rw------- */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {}

    /**
     * Creates {@code dir} and its missing parents as 0700 and tightens {@code dir} itself to 0700 when it
     * existed. Parents that already existed keep their permissions (they may be the user's home or /tmp).
     *
     * @return {@code dir}
     */
    public static Path createDirectories(Path dir) throws IOException {
        if (!posix(dir)) {
            return Files.createDirectories(dir);
        }
        Path absolute = dir.toAbsolutePath().normalize();
        Path firstMissing = null;
        for (Path p = absolute; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
            firstMissing = p;
        }
        Files.createDirectories(absolute, PosixFilePermissions.asFileAttribute(FOLDER));
        if (firstMissing != null) {
            for (Path p = absolute; p != null && p.startsWith(firstMissing); p = p.getParent()) {
                set(p, FOLDER);
            }
        } else {
            set(absolute, FOLDER);
        }
        return dir;
    }

    /** Sets an existing file to 0600 (a folder to 0700); nothing when it does not exist. */
    public static void restrict(Path path) throws IOException {
        if (!posix(path) || !Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(path)) {
            return;
        }
        setIfPresent(path, Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? FOLDER : FILE);
    }

    /**
     * Tightens a whole tree: folders to 0700, files to 0600. For folders other programs fill (a library's
     * data folder), whose files may have been created under a wider umask by an older version. Safe while
     * that program runs: a file it deletes during the walk is skipped.
     */
    public static void restrictTree(Path root) throws IOException {
        if (!posix(root) || !Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            restrict(root);
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                setIfPresent(dir, FOLDER);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile()) {
                    setIfPresent(file, FILE);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    /**
     * Replaces {@code file} with {@code text} (UTF-8), atomically: through a temporary file in the same
     * folder created 0600 and moved over it, so the text is never readable by others, not even for a moment,
     * and a crash leaves the old or the new file.
     */
    public static void writeString(Path file, CharSequence text) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp", fileAttributes(parent));
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The attribute that creates a file 0600 ({@code Files.createFile}, {@code FileChannel.open}); none off POSIX. */
    public static FileAttribute<?>[] fileAttributes(Path file) {
        return posix(file) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    private static boolean posix(Path p) {
        return p.getFileSystem() == FileSystems.getDefault() ? POSIX : p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void set(Path p, Set<PosixFilePermission> permissions) throws IOException {
        Files.setPosixFilePermissions(p, permissions);
    }

    private static void setIfPresent(Path p, Set<PosixFilePermission> permissions) throws IOException {
        try {
            set(p, permissions);
        } catch (NoSuchFileException gone) {
            // deleted since it was listed: nothing left to protect
        }
    }
}
