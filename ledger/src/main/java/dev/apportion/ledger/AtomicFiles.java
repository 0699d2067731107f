package dev.apportion.ledger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes that appear all at once: content goes to a temporary name in the target's directory and is
 * renamed into place, so a reader (or a rerun after a kill) never sees half a file.
 */
public final class AtomicFiles {
    /** Prefix of every temporary name; a restarting stage removes entries with it from its directories. */
    public static final String TEMPORARY_PREFIX = ".tmp-";

    private AtomicFiles() {
    }

    /** A temporary sibling of {@code target} that {@link #removeTemporaries} recognises. */
    public static Path temporaryFor(Path target) {
        return target.resolveSibling(TEMPORARY_PREFIX + target.getFileName() + "-" + ProcessHandle.current().pid());
    }

    public static void writeString(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path target, byte[] content) {
        try {
            Files.createDirectories(target.getParent());
            Path temporary = temporaryFor(target);
            Files.write(temporary, content, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            force(temporary);
            move(temporary, target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Copies {@code source} to {@code target} through a temporary name (replacing an existing target). */
    public static void copy(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path temporary = temporaryFor(target);
            Files.copy(source, temporary, StandardCopyOption.REPLACE_EXISTING);
            force(temporary);
            move(temporary, target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts {@code source}'s bytes at {@code target} (replacing an existing target) through a temporary name, as
     * {@link #copy} does, but as a hard link where the file system allows one: archiving a request log of
     * gigabytes then costs no second copy of its bytes (at 10M requests the copy and its flush took 6 s of a
     * 60 s ingest). {@code source} stays where it is; the two names share the file until one is deleted.
     */
    public static void linkOrCopy(Path source, Path target) {
        Path temporary = temporaryFor(target);
        try {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(temporary);
            Files.createLink(temporary, source);
        } catch (UnsupportedOperationException | IOException e) {
            // Another file system (a mounted inbox), or one without hard links.
            copy(source, target);
            return;
        }
        try {
            force(temporary);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot flush " + temporary + ": " + e.getMessage(), e);
        }
        move(temporary, target);
    }

    /** Renames {@code source} onto {@code target} atomically, replacing a file (not a non-empty directory). */
    public static void move(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
            try {
                Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system cannot rename atomically from " + source + " to " + target, e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move " + source + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes a finished directory under its final name with one rename. Fails if the target exists,
     * since published directories are immutable.
     */
    public static void publishDirectory(Path finished, Path target) {
        try {
            if (Files.exists(target)) {
                throw new FileAlreadyExistsException(target.toString(), null, "already published");
            }
            Files.move(finished, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot publish " + finished + " as " + target + ": " + e.getMessage(), e);
        }
    }

    /** Creates the directory {@code target} will live in. */
    public static void createParent(Path target) {
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + target.getParent() + ": " + e.getMessage(), e);
        }
    }

    /** Removes temporaries left in {@code directory} (not recursive) by a run that died. */
    public static void removeTemporaries(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, TEMPORARY_PREFIX + "*")) {
            for (Path entry : entries) {
                deleteRecursively(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clean temporaries in " + directory + ": " + e.getMessage(), e);
        }
    }

    public static void deleteRecursively(Path path) {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path entry : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
        }
    }

    private static void force(Path file) throws IOException {
        // Read access suffices to flush a file (fsync), and a linked input may be read-only.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
