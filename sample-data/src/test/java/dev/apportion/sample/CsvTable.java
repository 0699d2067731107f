package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A CSV file read back with a strict RFC 4180 parser of the test's own (records end with {@code "\n"},
 * fields may be quoted with doubled quotes inside), so the tests do not trust the writer's escaping.
 */
record CsvTable(List<String> header, List<List<String>> rows) {

    static CsvTable read(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        assertThat(text).as("%s line ends", file).doesNotContain("\r").endsWith("\n");
        List<List<String>> records = parse(text);
        List<String> header = records.get(0);
        List<List<String>> rows = records.subList(1, records.size());
        for (List<String> row : rows) {
            assertThat(row).as("fields of a row of %s", file).hasSize(header.size());
        }
        return new CsvTable(List.copyOf(header), rows);
    }

    /** The header joined back into the first line of the file. */
    String headerLine() {
        return String.join(",", header);
    }

    /** Accessor for one column by name, failing fast on a misspelt column. */
    Function<List<String>, String> column(String name) {
        int index = header.indexOf(name);
        assertThat(index).as("column %s", name).isNotNegative();
        return row -> row.get(index);
    }

    /** Rows as column-name maps, for the few rows of an invoice. */
    List<Map<String, String>> rowMaps() {
        return rows.stream()
                .map(row -> IntStream.range(0, header.size()).boxed()
                        .collect(Collectors.toMap(header::get, row::get)))
                .collect(Collectors.toList());
    }

    private static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' && field.length() == 0) {
                i++;
                while (true) {
                    char q = text.charAt(i);
                    if (q == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                    } else if (q == '"') {
                        i++;
                        break;
                    } else {
                        field.append(q);
                        i++;
                    }
                }
                char after = text.charAt(i);
                assertThat(after).as("character after a closing quote at %d", i).isIn(',', '\n');
                continue;
            }
            if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else {
                field.append(c);
            }
            i++;
        }
        return records;
    }
}
