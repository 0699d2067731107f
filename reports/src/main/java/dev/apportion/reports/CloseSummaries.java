package dev.apportion.reports;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.SpreadsheetCsv;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;

/**
 * The spreadsheet companions of a close: {@code summary-by-consumer.csv} and {@code summary-by-feature.csv},
 * computed from the FOCUS file itself so they add up to what finance received. The HTML report comes with
 * issue H and reuses these tables.
 */
public final class CloseSummaries {
    public static final String BY_CONSUMER = "summary-by-consumer.csv";
    public static final String BY_FEATURE = "summary-by-feature.csv";

    private CloseSummaries() {
    }

    public static void write(DuckDbSession db, Path focusFile, Path closeDirectory) {
        db.execute(Sql.resource(CloseSummaries.class, "summaries.sql").bind("focus", focusFile));
        SpreadsheetCsv.write(db, "summary_by_consumer", "billed_cost DESC, consumer", closeDirectory.resolve(BY_CONSUMER));
        SpreadsheetCsv.write(db, "summary_by_feature", "billed_cost DESC, feature", closeDirectory.resolve(BY_FEATURE));
    }
}
