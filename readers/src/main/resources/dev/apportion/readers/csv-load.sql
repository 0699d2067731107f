-- Loads one CSV file as text columns, keeping the file order, and numbers each record with the physical
-- line it starts on (header = line 1). Records the CSV parser cannot read (invalid UTF-8, wrong number of
-- columns, a truncated last line) land in csv_errors with their line, never silently dropped.
DROP TABLE IF EXISTS csv_errors;
DROP TABLE IF EXISTS csv_scans;
DROP TABLE IF EXISTS csv_raw;
CREATE TEMP TABLE csv_raw AS
SELECT * FROM read_csv(${path}, header = true, all_varchar = true, delim = ',', quote = '"', escape = '"',
                       compression = ${compression}, store_rejects = true, rejects_table = 'csv_errors',
                       rejects_scan = 'csv_scans', strict_mode = true, sample_size = -1);
-- Physical line of each record: 2 + lines taken by earlier records (1 + embedded line breaks) + rejected
-- lines before it. A rejected line at position q (in the numbering without rejects) shifts every record
-- at or after q by one.
CREATE OR REPLACE TEMP TABLE csv_reject_positions AS
SELECT line - (row_number() OVER (ORDER BY line) - 1) AS position FROM csv_errors;
CREATE OR REPLACE TEMP TABLE csv_numbered AS
WITH ordered AS (
    SELECT rowid AS ordinal, * FROM csv_raw
), positioned AS (
    SELECT *, 2 + ordinal + coalesce(sum(${line_breaks}) OVER (ORDER BY ordinal ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS position
    FROM ordered
)
SELECT p.*, p.position + (SELECT count(*) FROM csv_reject_positions r WHERE r.position <= p.position) AS line
FROM positioned p;
