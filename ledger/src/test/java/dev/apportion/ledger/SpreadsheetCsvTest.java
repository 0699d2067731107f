package dev.apportion.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpreadsheetCsvTest {
    @TempDir
    Path directory;

    @Test
    void write_neutralisesFormulasKeepsNumbersAndSortsByValue() throws Exception {
        Path target = directory.resolve("out.csv");
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute("""
                    CREATE TABLE t AS SELECT * FROM (VALUES
                        ('=HYPERLINK("http://x")', CAST(-9.50 AS DECIMAL(38, 18)), TIMESTAMPTZ '2026-05-01 00:00:00+00'),
                        ('+plus', CAST(10.25 AS DECIMAL(38, 18)), TIMESTAMPTZ '2026-05-01 00:00:00.25+00'),
                        ('plain', CAST(2 AS DECIMAL(38, 18)), NULL)) AS v(label, amount, happened)""");
            SpreadsheetCsv.write(db, "t", "amount DESC", target);
        }
        assertThat(Files.readAllLines(target)).containsExactly(
                "label,amount,happened",
                "'+plus,10.25,2026-05-01T00:00:00.25Z",
                "plain,2,",
                "\"'=HYPERLINK(\"\"http://x\"\")\",-9.5,2026-05-01T00:00:00Z");
    }
}
