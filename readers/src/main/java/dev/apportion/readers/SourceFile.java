package dev.apportion.readers;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * An input being ingested: where its bytes are now, the name it arrived with and its SHA-256, which
 * names everything derived from it.
 */
public record SourceFile(Path path, String name, String sha256) {
    public SourceFile {
        requireNonNull(path, "path is null");
        requireNonNull(name, "name is null");
        requireNonNull(sha256, "sha256 is null");
    }
}
