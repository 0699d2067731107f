package dev.apportion.readers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one scan of a CSV file's bytes says, so that tests the SQL would otherwise make on every cell can be
 * skipped for the whole file: whether it holds the quote character (only a quoted cell can hold a line break) and
 * whether it is all ASCII (then the only space {@code trim} removes is the ASCII one). For 10M requests the scan
 * takes under a second; the line-break test on every cell took five, trimming every cell ten.
 *
 * @param quote whether the file may hold {@code "}
 * @param ascii whether every byte of the file is below 0x80
 */
record CsvBytes(boolean quote, boolean ascii) {
    /** What nothing was learnt about: a compressed file is not scanned. */
    static final CsvBytes UNKNOWN = new CsvBytes(true, false);

    private static final int READ_CHUNK = 1 << 20;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long QUOTES = '"' * ONES;

    static CsvBytes of(SourceFile source, Sniff sniff) {
        return sniff.gzip() ? UNKNOWN : scan(source.path(), READ_CHUNK);
    }

    /**
     * Scans {@code file} in chunks of {@code chunk} bytes (read, not mapped: mapped pages would count towards the
     * process's resident memory), eight bytes per step, until both answers are known.
     */
    static CsvBytes scan(Path file, int chunk) {
        boolean quote = false;
        boolean ascii = true;
        ByteBuffer bytes = ByteBuffer.allocateDirect(chunk);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (!quote || ascii) {
                bytes.clear();
                while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                    // Fill the buffer, so that only the end of the file leaves a partial word.
                }
                int length = bytes.position();
                int i = 0;
                for (; i + Long.BYTES <= length; i += Long.BYTES) {
                    long word = bytes.getLong(i);
                    ascii &= (word & HIGH_BITS) == 0;
                    long xored = word ^ QUOTES;
                    // A zero byte in word ^ QUOTES is a quote (exact as a yes or no; the classic zero-byte test).
                    quote |= ((xored - ONES) & ~xored & HIGH_BITS) != 0;
                }
                for (; i < length; i++) {
                    ascii &= bytes.get(i) >= 0;
                    quote |= bytes.get(i) == '"';
                }
                if (length < chunk) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return new CsvBytes(quote, ascii);
    }
}
