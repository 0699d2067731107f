package dev.apportion.focus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.apportion.ledger.DuckDbSession;
import dev.apportion.ledger.Sha256;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The content digest and Merkle root over rows in x_AllocationRowId order, read from a table already in it. */
class DigestsOfLinesTest {
    @TempDir
    Path directory;

    @Test
    void digestsOfLines_coverTheLinesInRowIdOrder() {
        int rows = 10_000;
        List<String> lines = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            String id = String.format("row_%05d", i);
            lines.add(id + "\tline " + i);
            hashes.add(Sha256.of(id));
            content.append(id).append("\tline ").append(i).append('\n');
        }
        FocusExporter.Digests digests;
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            // Generated in descending order and sorted by the table's creation, as the export creates focus_rows.
            db.execute("CREATE TABLE t AS SELECT * FROM (SELECT printf('row_%05d', i) AS x_AllocationRowId, 'line ' || i AS body, "
                    + "sha256(printf('row_%05d', i)) AS x_EvidenceHash FROM range(" + rows + ") r(i) ORDER BY i DESC) ORDER BY x_AllocationRowId");
            digests = FocusExporter.digestsOfLines(db, "t", "x_AllocationRowId || chr(9) || body");
        }
        assertThat(digests.rows()).isEqualTo(rows);
        assertThat(digests.contentDigest()).isEqualTo(Sha256.of(content.toString()));
        assertThat(digests.merkleRoot()).isEqualTo(MerkleRoot.of(hashes));
    }

    @Test
    void digestsOfLines_refuseATableOutOfOrder() {
        try (DuckDbSession db = DuckDbSession.open(directory)) {
            db.execute("CREATE TABLE t AS SELECT * FROM (VALUES ('row_b', 'h2'), ('row_a', 'h1')) v(x_AllocationRowId, x_EvidenceHash)");
            assertThatThrownBy(() -> FocusExporter.digestsOfLines(db, "t", "x_AllocationRowId"))
                    .hasMessageContaining("not in x_AllocationRowId order");
        }
    }
}
