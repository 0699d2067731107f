package dev.apportion.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Archiving an input by hard link where the file system allows it, by copy otherwise. */
class AtomicFilesTest {
    @TempDir
    Path directory;

    @Test
    void linkOrCopy_onOneFileSystem_sharesTheFileAndLeavesTheSourceAndNoTemporary() throws Exception {
        Files.createDirectories(directory.resolve("inbox"));
        Path source = Files.writeString(directory.resolve("inbox/requests.csv"), "request_id\nr1\n");
        Path target = directory.resolve("archive/abc/requests.csv");

        AtomicFiles.linkOrCopy(source, target);

        assertThat(target).hasContent("request_id\nr1\n");
        assertThat(source).hasContent("request_id\nr1\n");
        assertThat(Files.isSameFile(source, target)).as("a hard link, not a copy").isTrue();
        assertThat(Files.getAttribute(target, "unix:nlink")).isEqualTo(2);
        try (Stream<Path> entries = Files.list(target.getParent())) {
            assertThat(entries).containsExactly(target);
        }
        // The inbox entry goes; the archived bytes stay.
        Files.delete(source);
        assertThat(target).hasContent("request_id\nr1\n");
    }

    @Test
    void linkOrCopy_replacesAnExistingTarget() throws Exception {
        Files.createDirectories(directory.resolve("inbox"));
        Path source = Files.writeString(directory.resolve("inbox/requests.csv"), "new\n");
        Path target = directory.resolve("archive/requests.csv");
        Files.createDirectories(target.getParent());
        Files.writeString(target, "left by a run that died\n");

        AtomicFiles.linkOrCopy(source, target);

        assertThat(target).hasContent("new\n");
        assertThat(Files.isSameFile(source, target)).isTrue();
    }

    @Test
    void linkOrCopy_acrossFileSystems_copies() throws Exception {
        // /dev/shm is a separate file system (tmpfs) on Linux; where it is not, the link path is taken and checked above.
        Path shm = Path.of("/dev/shm");
        Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm)
                && !Files.getFileStore(shm).equals(Files.getFileStore(directory)), "no second file system");
        Path source = Files.createTempFile(shm, "apportion-atomic-files-", ".csv");
        try {
            Files.writeString(source, "request_id\nr2\n");
            Path target = directory.resolve("archive/requests.csv");

            AtomicFiles.linkOrCopy(source, target);

            assertThat(target).hasContent("request_id\nr2\n");
            assertThat(Files.isSameFile(source, target)).isFalse();
            assertThat(source).hasContent("request_id\nr2\n");
            try (Stream<Path> entries = Files.list(target.getParent())) {
                assertThat(entries).containsExactly(target);
            }
        } finally {
            Files.deleteIfExists(source);
        }
    }
}
