package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;

/** The writer lock of DESIGN §4: an OS lock on {@code state/apportion.lock}; exit 3 when another writer holds it. */
final class HomeLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private HomeLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static HomeLock acquire(Home home, long waitSeconds, Clock clock) {
        try {
            Files.createDirectories(home.state());
            FileChannel channel = FileChannel.open(home.lockFile(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
            while (true) {
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException heldInThisProcess) {
                    lock = null;
                }
                if (lock != null) {
                    channel.truncate(0);
                    channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + "\nstarted " + clock.instant() + "\n")
                            .getBytes(StandardCharsets.UTF_8)));
                    return new HomeLock(channel, lock);
                }
                if (System.nanoTime() >= deadline) {
                    channel.close();
                    throw new ApportionException(ApportionException.ExitCode.LOCKED, "The home " + home.root()
                            + " is locked by another writer (" + home.lockFile() + "); retry later or pass --wait SECONDS");
                }
                Thread.sleep(200);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + home.lockFile() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApportionException(ApportionException.ExitCode.LOCKED, "Interrupted while waiting for the lock");
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot release " + e.getMessage(), e);
        }
    }
}
