-- The generic request log after request-check.sql: duplicates (provider + request_id seen earlier in this
-- file or in an already ingested file) are counted apart from invalid rows; corrections find their originals.
-- The raw text is no longer needed; freeing it keeps a large file's ingest within the memory limit.
DROP TABLE IF EXISTS csv_raw;
CREATE OR REPLACE TEMP VIEW request_checked AS ${checked};

INSERT INTO rejects
SELECT _location, problem[2], problem[1], problem[3] FROM request_checked WHERE problem IS NOT NULL;

-- First occurrence in the file wins; later ones, and any already ingested, are duplicates. Only the repeated
-- keys are collected (a hash aggregate rather than a window over the whole file), by position.
-- The keys are first grouped by their 64-bit hash, a fixed-width key: grouping every text key held all of them in
-- the hash table (at 100M requests it spilled). Only the keys of repeated hashes, a superset of the repeated keys,
-- are then grouped exactly.
CREATE OR REPLACE TEMP TABLE request_duplicates AS
WITH repeated_hashes AS (
    SELECT hash(provider, request_id) AS key_hash
    FROM request_checked WHERE problem IS NULL GROUP BY key_hash HAVING count(*) > 1
), first_seen AS (
    SELECT provider, request_id, min(_position) AS first_position
    FROM request_checked r SEMI JOIN repeated_hashes h ON h.key_hash = hash(r.provider, r.request_id)
    WHERE problem IS NULL GROUP BY ALL HAVING count(*) > 1
)
SELECT v._position, v._location, v.provider, v.request_id
FROM request_checked v JOIN first_seen f ON f.provider = v.provider AND f.request_id = v.request_id
WHERE v.problem IS NULL AND v._position > f.first_position
UNION
SELECT v._position, v._location, v.provider, v.request_id
FROM request_checked v SEMI JOIN existing_request_keys e ON e.provider = v.provider AND e.request_id = v.request_id
WHERE v.problem IS NULL;

INSERT INTO rejects
SELECT _location, 'request_id', 'duplicate', 'request ' || provider || ':' || request_id || ' was already ingested'
FROM request_duplicates;

-- A correction replaces the request it names, in that request's period (DESIGN §5): it takes the original's
-- occurred_at (its own time is kept in tags as corrected_at), and pricing leaves the original out. The
-- original must be known (earlier in this file or already ingested), else the correction is rejected, so a
-- request and its correction can never both count.
-- The corrections are a table first: with their count known (usually none), the search for their originals builds
-- its hash table on them, not on every request of the file (2 s of a 10M-row ingest for no correction).
CREATE OR REPLACE TEMP TABLE request_correction_rows AS
SELECT r._position, r._location, r.provider, r.corrects_request_id
FROM request_checked r ANTI JOIN request_duplicates d ON d._position = r._position
WHERE r.problem IS NULL AND r.corrects_request_id IS NOT NULL;

CREATE OR REPLACE TEMP TABLE request_corrections AS
WITH corrections AS (
    FROM request_correction_rows
), in_file AS (
    SELECT r.provider, r.request_id, min(r.occurred_at) AS occurred_at
    FROM request_checked r
    SEMI JOIN corrections c ON c.provider = r.provider AND c.corrects_request_id = r.request_id
    ANTI JOIN request_duplicates d ON d._position = r._position
    WHERE r.problem IS NULL
    GROUP BY ALL
)
SELECT c._position, c._location, c.provider, c.corrects_request_id, coalesce(f.occurred_at, e.occurred_at) AS original_occurred_at
FROM corrections c
LEFT JOIN in_file f ON f.provider = c.provider AND f.request_id = c.corrects_request_id
LEFT JOIN existing_request_keys e ON e.provider = c.provider AND e.request_id = c.corrects_request_id;

INSERT INTO rejects
SELECT _location, 'corrects_request_id', 'unknown_correction_target', 'corrects ' || provider || ':'
       || corrects_request_id || ', which is neither earlier in this file nor ingested; ingest the original first'
FROM request_corrections
WHERE original_occurred_at IS NULL;

-- A view: the accepted rows stream from request_checked into the ledger's Parquet file in file order.
-- The period is the UTC month: the instant's UTC wall time as a plain TIMESTAMP (make_timestamp of its epoch
-- microseconds) formats without the time-zone library, a third of the time of strftime on the TIMESTAMPTZ.
CREATE OR REPLACE TEMP VIEW accepted AS
SELECT strftime(make_timestamp(epoch_us(coalesce(c.original_occurred_at, r.occurred_at))), '%Y-%m') AS period,
       r.request_id, coalesce(c.original_occurred_at, r.occurred_at) AS occurred_at, r.provider, r.model,
       r.billing_account_id, r.principal_id, r.consumer_id, r.feature, r.user_id, r.session_id, r.environment,
       r.service_tier, r.region, r.input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens,
       r.output_tokens, r.reasoning_tokens, r.web_search_calls, r.status, r.logged_cost_usd, r.corrects_request_id,
       CASE WHEN c.original_occurred_at IS NULL THEN r.tags
            ELSE CAST(json_merge_patch(coalesce(r.tags, '{}'), json_object('corrected_at', strftime(r.occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ'))) AS VARCHAR)
       END AS tags,
       ${source_sha256} AS source_sha256,
       CAST(r._position AS BIGINT) AS source_line
FROM request_checked r
LEFT JOIN request_corrections c ON c._position = r._position
ANTI JOIN request_duplicates d ON d._position = r._position
WHERE r.problem IS NULL AND (r.corrects_request_id IS NULL OR c.original_occurred_at IS NOT NULL);
