package dev.apportion.readers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte scan that spares a CSV file without quotes the per-cell line-break test. */
class CsvLoaderTest {
    @TempDir
    Path directory;

    @Test
    void containsByte_findsTheByteAtEveryOffsetAcrossChunkBoundaries() throws Exception {
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 64, 1000}) {
            byte[] bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                // Every byte value but the one sought, high bits included (a word test must not mistake them).
                do {
                    bytes[i] = (byte) random.nextInt(256);
                } while (bytes[i] == '"');
            }
            Path file = Files.write(directory.resolve("without-" + size), bytes);
            for (int chunk : new int[] {1, 3, 8, 13, 1 << 20}) {
                assertThat(CsvLoader.containsByte(file, (byte) '"', chunk)).as("size %d chunk %d", size, chunk).isFalse();
            }
            for (int at = 0; at < size; at++) {
                byte[] with = bytes.clone();
                with[at] = '"';
                Path withFile = Files.write(directory.resolve("with-" + size + "-" + at), with);
                for (int chunk : new int[] {1, 3, 8, 13, 1 << 20}) {
                    assertThat(CsvLoader.containsByte(withFile, (byte) '"', chunk)).as("size %d at %d chunk %d", size, at, chunk).isTrue();
                }
                Files.delete(withFile);
            }
        }
    }

    @Test
    void containsByte_ofAHighByte() throws Exception {
        Path file = Files.write(directory.resolve("f"), new byte[] {'a', 'b', (byte) 0xa2, 'c', 'd', 'e', 'f', 'g', 'h', 'i'});
        assertThat(CsvLoader.containsByte(file, (byte) 0xa2, 1 << 20)).isTrue();
        assertThat(CsvLoader.containsByte(file, (byte) 0x22, 1 << 20)).isFalse();
        assertThat(CsvLoader.containsByte(file, (byte) 0xa3, 1 << 20)).isFalse();
    }
}
