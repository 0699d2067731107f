package dev.apportion.sample;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A UTF-8 text file written beside its target and moved into place only when complete. The generated
 * files are meant to be dropped into an inbox, where a half-written file would be ingested as a truncated
 * one; a failed generation leaves no target file behind.
 */
final class StagedFile implements Closeable {
    private static final int BUFFER_CHARS = 1 << 16;

    private final Path target;
    private final Path staging;
    private final Writer writer;
    private boolean committed;

    private StagedFile(Path target, Path staging, Writer writer) {
        this.target = target;
        this.staging = staging;
        this.writer = writer;
    }

    static StagedFile create(Path target) throws IOException {
        // A fixed hidden name (not createTempFile) so the file gets the directory's usual permissions and a
        // leftover from a killed run is simply overwritten by the next one.
        Path staging = target.resolveSibling("." + target.getFileName() + ".partial");
        Writer writer = new BufferedWriter(
                new OutputStreamWriter(Files.newOutputStream(staging), StandardCharsets.UTF_8), BUFFER_CHARS);
        return new StagedFile(target, staging, writer);
    }

    Writer writer() {
        return writer;
    }

    /** Flushes, closes and moves the file into place, replacing an older one. */
    Path commit() throws IOException {
        writer.close();
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING);
        }
        committed = true;
        return target;
    }

    /** Discards the staging file unless {@link #commit()} moved it into place. */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            writer.close();
        } finally {
            Files.deleteIfExists(staging);
        }
    }
}
