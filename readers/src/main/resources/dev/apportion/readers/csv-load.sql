-- Loads one delimited text file as text columns, keeping the file order (CsvLoader.scan: records the parser
-- cannot read land in csv_errors with their line). JSON lines are read the same way, one text column per line.
-- csv-number.sql then numbers each record with the physical line it starts on.
DROP TABLE IF EXISTS csv_raw;
CREATE TEMP TABLE csv_raw AS SELECT * FROM ${scan};
