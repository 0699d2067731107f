package dev.apportion.ledger;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the ledger's usage-event files ({@code state/ledger/period=YYYY-MM/<sha256>.parquet}), one per ingested
 * request log, whichever way ingest wrote them.
 *
 * <p>A clean log's checked file is its ledger file as it is (no second write of every row). Its records are in
 * file order, and where the reader could only number them by that order (the streamed CSV read) its
 * {@code source_line} is null and {@code source_first_line} holds the line of the first record. Such a file also
 * keeps the check's own columns. Every other ledger file names each row's line in {@code source_line}.
 */
public final class LedgerFiles {
    /** The check's columns a clean log's ledger file keeps; no reader of the ledger sees them. */
    private static final Set<String> CHECK_COLUMNS = Set.of("_location", "_position", "_line_break", "problem",
            "source_first_line", "file_row_number", "source_line");

    private LedgerFiles() {
    }

    /**
     * A relation for a {@code FROM} clause: every usage event of {@code files} with the ledger's columns
     * ({@code request_id} ... {@code tags}, {@code source_sha256}, {@code source_line}), whichever way each file
     * was written.
     *
     * @param files at least one ledger file
     */
    public static String relation(DuckDbSession db, List<Path> files) {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no ledger files");
        }
        String scan = Sql.of("read_parquet(${files}, union_by_name = true, file_row_number = true)")
                .bindList("files", files.stream().map(path -> path.toAbsolutePath().toString()).toList()).text();
        List<String> columns = new ArrayList<>();
        boolean[] numberedByOrder = {false};
        db.query("DESCRIBE SELECT * FROM " + scan, row -> {
            String column = row.getString(1);
            numberedByOrder[0] |= column.equals("source_first_line");
            if (!CHECK_COLUMNS.contains(column)) {
                columns.add(Sql.identifier(column));
            }
        });
        // The row number is the record's position among the file's records: a clean file holds every record, in order.
        // Files of earlier versions may hold source_line in another integer type; the union would be a DOUBLE.
        columns.add("CAST(" + (numberedByOrder[0] ? "coalesce(source_line, source_first_line + file_row_number)" : "source_line")
                + " AS BIGINT) AS source_line");
        return "(SELECT " + String.join(", ", columns) + " FROM " + scan + ")";
    }
}
