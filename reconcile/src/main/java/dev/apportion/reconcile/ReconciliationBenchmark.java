package dev.apportion.reconcile;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sql;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.Locale;

/**
 * Times {@link Reconciler#reconcile} on a synthetic priced month of N requests (three cost lines each, with
 * gateway-logged costs, in a Parquet file as the close stages them) and its daily invoice lines: a benchmark,
 * never a test.
 *
 * <p>Run: {@code java -cp <classpath> dev.apportion.reconcile.ReconciliationBenchmark 10000000}.
 */
public final class ReconciliationBenchmark {
    private ReconciliationBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        long requests = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        Path directory = Files.createTempDirectory("apportion-reconcile-bench-");
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            System.err.println("bench: generating " + requests + " requests");
            db.execute(Sql.resource(ReconciliationBenchmark.class, "bench-month.sql").bind("requests", requests)
                    .bind("target", directory.resolve("cost-lines.parquet")));
            long lines = db.queryLong("SELECT count(*) FROM cost_lines");
            long invoiceLines = db.queryLong("SELECT count(*) FROM invoice_lines");
            System.err.println("bench: reconciling");
            long start = System.nanoTime();
            GateResult gate = Reconciler.reconcile(db, YearMonth.of(2026, 10), "USD", Tolerances.DEFAULTS);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cells = db.queryLong("SELECT count(*) FROM reconciliation");
            long variances = db.queryLong("SELECT count(*) FROM reconciliation WHERE class <> 'matched'");
            System.out.printf(Locale.ROOT, "reconciled %,d requests (%,d cost lines) against %,d invoice lines in %.2f s (%,.0f cost lines/s):"
                            + " %,d cells, %,d not matched; gated variance %s of %s%n", requests, lines, invoiceLines, seconds,
                    lines / seconds, cells, variances, Reconciler.plain(gate.gatedVariance()), Reconciler.plain(gate.invoicedTotal()));
        } finally {
            AtomicFiles.deleteRecursively(directory);
        }
    }
}
