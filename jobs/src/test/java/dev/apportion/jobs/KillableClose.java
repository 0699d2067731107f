package dev.apportion.jobs;

import dev.apportion.ledger.Home;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A close in a child JVM for kill tests: {@code KillableClose HOME PERIOD STAGE [--republish]} takes the writer lock
 * and closes PERIOD with the variance accepted, printing {@code stage N} to stdout before each stage. At stage
 * STAGE (1 = price ... 6 = publish; 0 = never) it prints {@code paused} and waits to be killed.
 */
final class KillableClose {
    private KillableClose() {
    }

    public static void main(String[] args) {
        try {
            close(args);
        } catch (Throwable failure) {
            // A stream of its own: System.err may have been closed by the failed close.
            failure.printStackTrace(new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true));
            System.exit(1);
        }
    }

    private static void close(String[] args) {
        Home home = new Home(Path.of(args[0]));
        int pauseAt = Integer.parseInt(args[2]);
        boolean republish = args.length > 3 && args[3].equals("--republish");
        AtomicInteger stages = new AtomicInteger();
        try (HomeLock lock = HomeLock.acquire(home, 0, TestHome.CLOCK)) {
            System.out.println("locked");
            CloseRunner.close(home, YearMonth.parse(args[1]), "focus-1.4", new CloseOptions(true, false, null, false, republish),
                    TestHome.CLOCK, System.err, () -> {
                        int stage = stages.incrementAndGet();
                        System.out.println("stage " + stage);
                        if (stage == pauseAt) {
                            System.out.println("paused");
                            try {
                                Thread.sleep(Long.MAX_VALUE);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    });
        }
        System.out.println("done");
    }
}
