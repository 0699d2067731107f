package dev.apportion.jobs;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads a Parquet file with parquet-java, not DuckDB (which wrote it), into rows of Java values: strings,
 * BigDecimal for DECIMAL, Instant for timestamps, Long, Boolean. Only the flat schemas our outputs use.
 */
final class ParquetJavaReader {
    /** The file's columns in order, with their logical types, and its rows. */
    record Table(MessageType schema, Map<String, String> metadata, List<Map<String, Object>> rows) {
        List<String> columns() {
            return schema.getFields().stream().map(Type::getName).toList();
        }
    }

    private ParquetJavaReader() {
    }

    static Table read(Path file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file),
                ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
            MessageType schema = reader.getFooter().getFileMetaData().getSchema();
            List<Map<String, Object>> rows = new ArrayList<>();
            PageReadStore pages;
            while ((pages = reader.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    Group group = records.read();
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int field = 0; field < schema.getFieldCount(); field++) {
                        row.put(schema.getFieldName(field), group.getFieldRepetitionCount(field) == 0 ? null
                                : value(group, field, schema.getType(field).asPrimitiveType()));
                    }
                    rows.add(row);
                }
            }
            return new Table(schema, reader.getFooter().getFileMetaData().getKeyValueMetaData(), rows);
        }
    }

    private static Object value(Group group, int field, PrimitiveType type) {
        LogicalTypeAnnotation logical = type.getLogicalTypeAnnotation();
        if (logical instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation decimal) {
            return switch (type.getPrimitiveTypeName()) {
                case INT32 -> BigDecimal.valueOf(group.getInteger(field, 0), decimal.getScale());
                case INT64 -> BigDecimal.valueOf(group.getLong(field, 0), decimal.getScale());
                default -> new BigDecimal(new BigInteger(group.getBinary(field, 0).getBytes()), decimal.getScale());
            };
        }
        if (logical instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation timestamp) {
            long value = group.getLong(field, 0);
            return switch (timestamp.getUnit()) {
                case MILLIS -> Instant.EPOCH.plus(value, ChronoUnit.MILLIS);
                case MICROS -> Instant.EPOCH.plus(value, ChronoUnit.MICROS);
                case NANOS -> Instant.EPOCH.plus(value, ChronoUnit.NANOS);
            };
        }
        return switch (type.getPrimitiveTypeName()) {
            case BINARY, FIXED_LEN_BYTE_ARRAY -> new String(group.getBinary(field, 0).getBytes(), StandardCharsets.UTF_8);
            case INT32 -> (long) group.getInteger(field, 0);
            case INT64 -> group.getLong(field, 0);
            case BOOLEAN -> group.getBoolean(field, 0);
            case DOUBLE -> group.getDouble(field, 0);
            case FLOAT -> (double) group.getFloat(field, 0);
            case INT96 -> throw new IllegalStateException("INT96 timestamps are not FOCUS: " + type);
        };
    }
}
