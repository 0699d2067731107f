package dev.apportion.focus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * FOCUS Metadata (reference/focus.md, Metadata): the Schema object with one ColumnDefinition per delivered
 * column, the DataGenerator and the DatasetInstance, for the Parquet key-value metadata and the manifest.
 */
public final class FocusMetadata {
    private static final Pattern DECIMAL = Pattern.compile("DECIMAL\\((\\d+), ?(\\d+)\\)");

    private FocusMetadata() {
    }

    /** One ColumnDefinition per column of {@code columns}, in file order. */
    public static ArrayNode columnDefinitions(List<OutputColumns.OutputColumn> columns) {
        Map<String, FocusColumn> focus = new LinkedHashMap<>();
        FocusSchema.costAndUsage().forEach(column -> focus.put(column.name(), column));
        ArrayNode definitions = Manifest.array();
        for (OutputColumns.OutputColumn column : columns) {
            ObjectNode definition = definitions.addObject();
            definition.put("ColumnName", column.name());
            FocusColumn known = focus.get(column.name());
            Matcher decimal = DECIMAL.matcher(column.duckDbType());
            if (known != null && known.dataType() == FocusDataType.JSON) {
                definition.put("DataType", "JSON");
                definition.put("StringEncoding", "UTF-8");
            } else if (decimal.matches()) {
                definition.put("DataType", "Decimal");
                definition.put("NumericPrecision", Integer.parseInt(decimal.group(1)));
                definition.put("NumberScale", Integer.parseInt(decimal.group(2)));
            } else if (column.duckDbType().equals("BIGINT")) {
                definition.put("DataType", "Decimal");
                definition.put("NumericPrecision", 19);
                definition.put("NumberScale", 0);
            } else if (column.duckDbType().startsWith("TIMESTAMP")) {
                definition.put("DataType", "Date/Time");
            } else {
                definition.put("DataType", "String");
                definition.put("StringEncoding", "UTF-8");
            }
            if (column.name().equals("AllocatedTags")) {
                definition.putArray("ProviderTagPrefixes").add("apportion/");
            }
            definition.put("Deprecated", false);
        }
        return definitions;
    }

    /**
     * The FOCUS Metadata of one delivered dataset: {@code DataGenerator}, {@code DatasetInstance} and
     * {@code Schema} (SchemaId, FocusVersion, CreationDate, DataGeneratorVersion, ColumnDefinition).
     */
    public static ObjectNode of(Map<String, String> focusMetadata, List<OutputColumns.OutputColumn> columns, String datasetInstanceId) {
        ObjectNode metadata = Manifest.create();
        metadata.putObject("DataGenerator").put("DataGenerator", focusMetadata.get("DataGenerator"));
        metadata.putObject("DatasetInstance").put("DatasetInstanceId", datasetInstanceId)
                .put("DatasetInstanceName", "Apportion close " + datasetInstanceId)
                .put("FocusDatasetId", focusMetadata.get("FocusDatasetId"));
        ObjectNode schema = metadata.putObject("Schema");
        schema.put("SchemaId", focusMetadata.get("SchemaId"));
        schema.put("FocusVersion", focusMetadata.get("FocusVersion"));
        schema.put("CreationDate", focusMetadata.get("CreationDate"));
        schema.put("DataGeneratorVersion", focusMetadata.get("DataGeneratorVersion"));
        schema.set("ColumnDefinition", columnDefinitions(columns));
        return metadata;
    }
}
