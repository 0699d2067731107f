package dev.apportion.readers;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.ProviderIds;
import dev.apportion.ledger.Sql;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** The generic request log (DESIGN §5): validation and normalisation into usage events, in SQL. */
final class RequestLogReader {
    /** Every column of the contract; optional ones missing from a header are read as empty. */
    static final List<String> COLUMNS = List.of("request_id", "occurred_at", "provider", "model", "billing_account_id",
            "principal_id", "consumer_id", "feature", "user_id", "session_id", "environment", "service_tier", "region",
            "input_tokens", "cache_read_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens",
            "reasoning_tokens", "web_search_calls", "status", "logged_cost_usd", "corrects_request_id");

    private RequestLogReader() {
    }

    static void validate(DuckDbSession db, SourceFile source, Readers.Header header, List<Path> committedLedgerFiles) {
        Set<String> present = header.columns();
        for (String column : COLUMNS) {
            if (!present.contains(column)) {
                db.execute("ALTER TABLE csv_numbered ADD COLUMN " + column + " VARCHAR");
            }
        }
        if (committedLedgerFiles.isEmpty()) {
            db.execute("CREATE OR REPLACE TEMP TABLE existing_request_keys (provider VARCHAR, request_id VARCHAR)");
        } else {
            db.execute(Sql.of("CREATE OR REPLACE TEMP TABLE existing_request_keys AS "
                            + "SELECT DISTINCT provider, request_id FROM read_parquet(${files})")
                    .bindList("files", committedLedgerFiles.stream().map(path -> path.toAbsolutePath().toString()).toList()));
        }
        db.execute(Sql.resource(RequestLogReader.class, "request-log.sql")
                .bindRaw("canonical_provider", ProviderIds.canonicalSql("provider"))
                .bind("source_sha256", source.sha256()));
    }
}
