package dev.apportion.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DuckDbSessionTest {
    @TempDir
    Path directory;

    @Test
    void executeUnordered_writesEveryRowAndRestoresTheFileOrderAfterwards() {
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            Path file = directory.resolve("rows.parquet");
            db.executeUnordered(Sql.of("COPY (SELECT range AS n FROM range(100000)) TO ${file} (FORMAT parquet)").bind("file", file));

            assertThat(db.queryLong(Sql.of("SELECT count(DISTINCT n) FROM read_parquet(${file})").bind("file", file).text())).isEqualTo(100_000);
            assertThat(db.queryLong("SELECT CAST(current_setting('preserve_insertion_order') AS INTEGER)")).isEqualTo(1);
        }
    }

    @Test
    void executeUnordered_restoresTheFileOrderWhenTheStatementFails() {
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            assertThatThrownBy(() -> db.executeUnordered(Sql.of("SELECT * FROM no_such_table"))).isInstanceOf(DuckDbSession.DuckDbException.class);

            assertThat(db.queryLong("SELECT CAST(current_setting('preserve_insertion_order') AS INTEGER)")).isEqualTo(1);
        }
    }
}
