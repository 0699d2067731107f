package dev.apportion.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlTest {
    @Test
    void bind_text_isQuotedSoUserTextCannotEndTheLiteral() {
        String sql = Sql.of("SELECT * FROM t WHERE name = ${name}").bind("name", "x'; DROP TABLE t; --").text();
        assertThat(sql).isEqualTo("SELECT * FROM t WHERE name = 'x''; DROP TABLE t; --'");
    }

    @Test
    void text_unboundParameter_isAnErrorNamingIt() {
        assertThatThrownBy(() -> Sql.of("SELECT ${missing}").text()).hasMessageContaining("${missing}");
    }

    @Test
    void statements_splitsAtLineEndSemicolonsAndDropsCommentOnlyPieces() {
        assertThat(Sql.statements("-- header\nCREATE TABLE a (x INT);\n\nINSERT INTO a VALUES (1); -- not an end\nSELECT 1;\n-- trailing\n"))
                .containsExactly("-- header\nCREATE TABLE a (x INT)", "INSERT INTO a VALUES (1); -- not an end\nSELECT 1");
    }

    @Test
    void literal_nulCharacter_isRefused() {
        assertThatThrownBy(() -> Sql.literal("a\0b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void bindList_quotesEveryElement() {
        assertThat(Sql.of("${files}").bindList("files", List.of("a.parquet", "b'c.parquet")).text())
                .isEqualTo("['a.parquet', 'b''c.parquet']::VARCHAR[]");
    }
}
