package dev.apportion.readers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte scan that lets a CSV file without quotes, or of ASCII only, skip tests on every cell. */
class CsvBytesTest {
    private static final int[] CHUNKS = {1, 3, 8, 13, 1 << 20};

    @TempDir
    Path directory;

    @Test
    void scan_findsAQuoteOrAHighByteAtEveryOffsetAcrossChunkBoundaries() throws Exception {
        Random random = new Random(7);
        for (int size : new int[] {0, 1, 7, 8, 9, 15, 16, 17, 64, 200}) {
            byte[] bytes = new byte[size];
            for (int i = 0; i < size; i++) {
                // Any ASCII byte but the quote, so that each case below adds exactly one thing.
                do {
                    bytes[i] = (byte) random.nextInt(128);
                } while (bytes[i] == '"');
            }
            assertScan(bytes, new CsvBytes(false, true), "size " + size);
            for (int at = 0; at < size; at++) {
                byte[] quoted = bytes.clone();
                quoted[at] = '"';
                assertScan(quoted, new CsvBytes(true, true), "quote at " + at + " of " + size);
                byte[] high = bytes.clone();
                high[at] = (byte) (0x80 + random.nextInt(128));
                assertScan(high, new CsvBytes(false, false), "byte " + (high[at] & 0xff) + " at " + at + " of " + size);
                if (at + 1 < size) {
                    byte[] both = quoted.clone();
                    both[size - 1] = (byte) 0xa2;
                    assertScan(both, new CsvBytes(true, false), "quote at " + at + " and a high byte at the end of " + size);
                }
            }
        }
    }

    @Test
    void of_aCompressedFile_isUnknown() throws Exception {
        Path file = Files.write(directory.resolve("f.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0});
        Sniff sniff = new Sniff(Sniff.Container.CSV, true, ',', java.util.List.of("request_id"));
        assertThat(CsvBytes.of(new SourceFile(file, "f.gz", "sha"), sniff)).isEqualTo(CsvBytes.UNKNOWN);
    }

    private void assertScan(byte[] bytes, CsvBytes expected, String description) throws Exception {
        Path file = Files.write(directory.resolve("scanned"), bytes);
        for (int chunk : CHUNKS) {
            assertThat(CsvBytes.scan(file, chunk)).as(description + ", chunk " + chunk).isEqualTo(expected);
        }
    }
}
