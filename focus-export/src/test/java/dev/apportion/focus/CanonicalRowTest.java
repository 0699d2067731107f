package dev.apportion.focus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.DuckDbSession;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The canonical serialisation of DESIGN §9, checked against hand-written lines. */
class CanonicalRowTest {
    @TempDir
    Path directory;

    @Test
    void expression_serialisesEachTypeAsDocumented() {
        List<OutputColumns.OutputColumn> columns = List.of(
                new OutputColumns.OutputColumn("label", "VARCHAR"),
                new OutputColumns.OutputColumn("amount", "DECIMAL(38, 18)"),
                new OutputColumns.OutputColumn("at", "TIMESTAMPTZ"),
                new OutputColumns.OutputColumn("entries", "BIGINT"));
        List<String> lines = new ArrayList<>();
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute(CanonicalRow.MACROS);
            db.execute("""
                    CREATE TABLE t AS SELECT * FROM (VALUES
                        (1, 'tab\there\\back' || chr(10) || 'line', CAST(-16.670 AS DECIMAL(38, 18)), TIMESTAMPTZ '2026-05-01 00:00:00+00', 3::BIGINT),
                        (2, NULL, CAST(0 AS DECIMAL(38, 18)), TIMESTAMPTZ '2026-05-31 23:59:59.999+00', NULL),
                        (3, 'plain', CAST(12000 AS DECIMAL(38, 18)), NULL, 0::BIGINT)) AS v(n, label, amount, "at", entries)""");
            db.query("SELECT " + CanonicalRow.expression(columns) + " FROM t ORDER BY n", row -> lines.add(row.getString(1)));
        }
        assertThat(lines).containsExactly(
                "tab\\there\\\\back\\nline\t-16.67\t2026-05-01T00:00:00Z\t3",
                "\\N\t0\t2026-05-31T23:59:59.999Z\t\\N",
                "plain\t12000\t\\N\t0");
    }
}
