package dev.apportion.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

    @Test
    void write_stripsTrailingZerosOnlyAfterThePoint() throws Exception {
        Path target = directory.resolve("decimals.csv");
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute("""
                    CREATE TABLE t AS SELECT * FROM (VALUES
                        (1, CAST(100 AS DECIMAL(38, 18)), CAST(100 AS DECIMAL(18, 0)), CAST(0 AS DECIMAL(38, 12))),
                        (2, CAST(-0.5 AS DECIMAL(38, 18)), CAST(-20 AS DECIMAL(18, 0)), CAST(1.000000000010 AS DECIMAL(38, 12))))
                        AS v(n, places, whole, small)""");
            SpreadsheetCsv.write(db, "t", "n", target);
        }
        assertThat(Files.readAllLines(target)).containsExactly("n,places,whole,small", "1,100,100,0", "2,-0.5,-20,1.00000000001");
    }

    @Test
    void write_ordersByExpressionsWithCommasAndModifiers() throws Exception {
        Path target = directory.resolve("ordered.csv");
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('line 9', 'b'), ('line 100', 'a'), ('line 10', 'c'), ('line 10', 'a')) AS v(location, label)");
            SpreadsheetCsv.write(db, "t", "CAST(regexp_extract(location, '[0-9]+') AS BIGINT) DESC, label", target);
        }
        assertThat(Files.readAllLines(target)).containsExactly("location,label", "line 100,a", "line 10,a", "line 10,c", "line 9,b");
        assertThat(SpreadsheetCsv.terms("a DESC, f(b, 'x,y') NULLS FIRST, \"c,d\""))
                .containsExactly("a DESC", " f(b, 'x,y') NULLS FIRST", " \"c,d\"");
    }

    @Test
    void writeInStoredOrder_keepsTheStoredOrderOfManyRowsAndNeutralisesFormulas() throws Exception {
        Path target = directory.resolve("stored.csv");
        int rows = 300_000;
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            // Stored in descending order, every seventh label a formula, so sorting or a join in the plan would show.
            db.execute("CREATE TABLE t AS SELECT n, CASE WHEN n % 7 = 0 THEN '=' || n WHEN n % 7 = 1 THEN '' ELSE 'é' || n END AS label "
                    + "FROM range(" + rows + ") r(n) ORDER BY n DESC");
            SpreadsheetCsv.writeInStoredOrder(db, "t", target);
        }
        List<String> lines = Files.readAllLines(target);
        assertThat(lines).hasSize(rows + 1).first().isEqualTo("n,label");
        for (int i = 1; i <= rows; i++) {
            long n = rows - i;
            String label = n % 7 == 0 ? "'=" + n : n % 7 == 1 ? "\"\"" : "é" + n;
            assertThat(lines.get(i)).isEqualTo(n + "," + label);
        }
    }
}
