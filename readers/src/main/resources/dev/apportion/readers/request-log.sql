-- Types and validates the generic request log (DESIGN §5). Every row gets at most one problem: the first
-- check that fails, with the column it concerns. Duplicates (provider + request_id seen earlier in this
-- file or in an already ingested file) are counted apart from invalid rows.
CREATE OR REPLACE TEMP MACRO blank_to_null(t) AS CASE WHEN trim(t) IN ('', 'NULL') THEN NULL ELSE trim(t) END;
CREATE OR REPLACE TEMP MACRO integer_problem(t) AS
    CASE WHEN t IS NULL THEN NULL
         WHEN NOT regexp_full_match(t, '-?[0-9]{1,18}') THEN 'invalid_integer'
         WHEN t LIKE '-%' AND regexp_full_match(t, '-0*[1-9][0-9]*') THEN 'negative_value'
    END;
CREATE OR REPLACE TEMP MACRO as_count(t) AS CAST(t AS BIGINT);
-- request_text (built by the reader of each container) holds every contract column as raw text. request_checked
-- is each row typed, with its first problem, in file order: streamed once into a scratch Parquet file that
-- everything below reads column by column. As a table it took as much memory as the raw text (about 4 GB for
-- 10M rows), so large files spilled and every later step slowed down.
COPY (
WITH request_norm AS (
SELECT _location, _position,
       blank_to_null(request_id) AS request_id,
       blank_to_null(occurred_at) AS occurred_at,
       blank_to_null(provider) AS provider,
       blank_to_null(model) AS model,
       blank_to_null(billing_account_id) AS billing_account_id,
       blank_to_null(principal_id) AS principal_id,
       blank_to_null(consumer_id) AS consumer_id,
       blank_to_null(feature) AS feature,
       blank_to_null(user_id) AS user_id,
       blank_to_null(session_id) AS session_id,
       blank_to_null(environment) AS environment,
       lower(blank_to_null(service_tier)) AS service_tier,
       blank_to_null(region) AS region,
       blank_to_null(input_tokens) AS input_tokens,
       blank_to_null(cache_read_tokens) AS cache_read_tokens,
       blank_to_null(cache_write_tokens) AS cache_write_tokens,
       blank_to_null(cache_write_1h_tokens) AS cache_write_1h_tokens,
       blank_to_null(output_tokens) AS output_tokens,
       blank_to_null(reasoning_tokens) AS reasoning_tokens,
       blank_to_null(web_search_calls) AS web_search_calls,
       lower(blank_to_null(status)) AS status,
       blank_to_null(logged_cost_usd) AS logged_cost_usd,
       blank_to_null(corrects_request_id) AS corrects_request_id,
       tags
FROM request_text
)
, request_problem AS (
SELECT *,
    CASE
        WHEN request_id IS NULL THEN ['missing_value', 'request_id', 'request_id is empty']
        WHEN occurred_at IS NULL THEN ['missing_value', 'occurred_at', 'occurred_at is empty']
        WHEN NOT regexp_full_match(occurred_at, '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)')
             OR TRY_CAST(occurred_at AS TIMESTAMPTZ) IS NULL
            THEN ['invalid_timestamp', 'occurred_at', 'not an ISO-8601 instant with Z or an offset: ' || occurred_at]
        WHEN provider IS NULL THEN ['missing_value', 'provider', 'provider is empty']
        WHEN model IS NULL THEN ['missing_value', 'model', 'model is empty']
        WHEN input_tokens IS NULL THEN ['missing_value', 'input_tokens', 'input_tokens is empty']
        WHEN output_tokens IS NULL THEN ['missing_value', 'output_tokens', 'output_tokens is empty']
        WHEN integer_problem(input_tokens) IS NOT NULL THEN [integer_problem(input_tokens), 'input_tokens', 'input_tokens must be a whole number >= 0: ' || input_tokens]
        WHEN integer_problem(cache_read_tokens) IS NOT NULL THEN [integer_problem(cache_read_tokens), 'cache_read_tokens', 'cache_read_tokens must be a whole number >= 0: ' || cache_read_tokens]
        WHEN integer_problem(cache_write_tokens) IS NOT NULL THEN [integer_problem(cache_write_tokens), 'cache_write_tokens', 'cache_write_tokens must be a whole number >= 0: ' || cache_write_tokens]
        WHEN integer_problem(cache_write_1h_tokens) IS NOT NULL THEN [integer_problem(cache_write_1h_tokens), 'cache_write_1h_tokens', 'cache_write_1h_tokens must be a whole number >= 0: ' || cache_write_1h_tokens]
        WHEN integer_problem(output_tokens) IS NOT NULL THEN [integer_problem(output_tokens), 'output_tokens', 'output_tokens must be a whole number >= 0: ' || output_tokens]
        WHEN integer_problem(reasoning_tokens) IS NOT NULL THEN [integer_problem(reasoning_tokens), 'reasoning_tokens', 'reasoning_tokens must be a whole number >= 0: ' || reasoning_tokens]
        WHEN integer_problem(web_search_calls) IS NOT NULL THEN [integer_problem(web_search_calls), 'web_search_calls', 'web_search_calls must be a whole number >= 0: ' || web_search_calls]
        WHEN coalesce(as_count(cache_read_tokens), 0) + coalesce(as_count(cache_write_tokens), 0)
             + coalesce(as_count(cache_write_1h_tokens), 0) > as_count(input_tokens)
            THEN ['cache_exceeds_input', 'cache_read_tokens', 'cache reads and writes exceed input_tokens ' || input_tokens || ' (input_tokens must include cached input)']
        WHEN coalesce(as_count(reasoning_tokens), 0) > as_count(output_tokens)
            THEN ['reasoning_exceeds_output', 'reasoning_tokens', 'reasoning_tokens exceed output_tokens ' || output_tokens]
        WHEN service_tier IS NOT NULL AND service_tier NOT IN ('standard', 'batch', 'priority', 'flex')
            THEN ['invalid_value', 'service_tier', 'service_tier must be standard, batch, priority or flex: ' || service_tier]
        WHEN status IS NOT NULL AND status NOT IN ('success', 'error', 'cancelled')
            THEN ['invalid_value', 'status', 'status must be success, error or cancelled: ' || status]
        WHEN logged_cost_usd IS NOT NULL AND (NOT regexp_full_match(logged_cost_usd, '-?[0-9]+(\.[0-9]+)?') OR TRY_CAST(logged_cost_usd AS DECIMAL(38, 12)) IS NULL)
            THEN ['invalid_decimal', 'logged_cost_usd', 'logged_cost_usd must be a plain decimal: ' || logged_cost_usd]
    END AS problem
FROM request_norm
)
SELECT _location, _position, problem,
       request_id,
       TRY_CAST(occurred_at AS TIMESTAMPTZ) AS occurred_at,
       ${canonical_provider} AS provider,
       model, billing_account_id, principal_id, consumer_id, feature, user_id, session_id, environment,
       coalesce(service_tier, 'standard') AS service_tier,
       region,
       TRY_CAST(input_tokens AS BIGINT) AS input_tokens,
       coalesce(TRY_CAST(cache_read_tokens AS BIGINT), 0) AS cache_read_tokens,
       coalesce(TRY_CAST(cache_write_tokens AS BIGINT), 0) AS cache_write_tokens,
       coalesce(TRY_CAST(cache_write_1h_tokens AS BIGINT), 0) AS cache_write_1h_tokens,
       TRY_CAST(output_tokens AS BIGINT) AS output_tokens,
       TRY_CAST(reasoning_tokens AS BIGINT) AS reasoning_tokens,
       coalesce(TRY_CAST(web_search_calls AS BIGINT), 0) AS web_search_calls,
       coalesce(status, 'success') AS status,
       TRY_CAST(logged_cost_usd AS DECIMAL(38, 12)) AS logged_cost_usd,
       corrects_request_id, tags
FROM request_problem
) TO ${checked_file} (FORMAT parquet, COMPRESSION snappy);

-- The raw text is no longer needed; freeing it keeps a large file's ingest within the memory limit.
DROP TABLE IF EXISTS csv_raw;
CREATE OR REPLACE TEMP VIEW request_checked AS SELECT * FROM read_parquet(${checked_file});

INSERT INTO rejects
SELECT _location, problem[2], problem[1], problem[3] FROM request_checked WHERE problem IS NOT NULL;

-- First occurrence in the file wins; later ones, and any already ingested, are duplicates. Only the repeated
-- keys are collected (a hash aggregate rather than a window over the whole file), by position.
CREATE OR REPLACE TEMP TABLE request_duplicates AS
WITH first_seen AS (
    SELECT provider, request_id, min(_position) AS first_position
    FROM request_checked WHERE problem IS NULL GROUP BY ALL HAVING count(*) > 1
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
CREATE OR REPLACE TEMP TABLE request_corrections AS
WITH corrections AS (
    SELECT r._position, r._location, r.provider, r.corrects_request_id
    FROM request_checked r ANTI JOIN request_duplicates d ON d._position = r._position
    WHERE r.problem IS NULL AND r.corrects_request_id IS NOT NULL
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
CREATE OR REPLACE TEMP VIEW accepted AS
SELECT strftime(coalesce(c.original_occurred_at, r.occurred_at), '%Y-%m') AS period,
       r.request_id, coalesce(c.original_occurred_at, r.occurred_at) AS occurred_at, r.provider, r.model,
       r.billing_account_id, r.principal_id, r.consumer_id, r.feature, r.user_id, r.session_id, r.environment,
       r.service_tier, r.region, r.input_tokens, r.cache_read_tokens, r.cache_write_tokens, r.cache_write_1h_tokens,
       r.output_tokens, r.reasoning_tokens, r.web_search_calls, r.status, r.logged_cost_usd, r.corrects_request_id,
       CASE WHEN c.original_occurred_at IS NULL THEN r.tags
            ELSE CAST(json_merge_patch(coalesce(r.tags, '{}'), json_object('corrected_at', strftime(r.occurred_at, '%Y-%m-%dT%H:%M:%S.%fZ'))) AS VARCHAR)
       END AS tags,
       ${source_sha256} AS source_sha256,
       r._position AS source_line
FROM request_checked r
LEFT JOIN request_corrections c ON c._position = r._position
ANTI JOIN request_duplicates d ON d._position = r._position
WHERE r.problem IS NULL AND (r.corrects_request_id IS NULL OR c.original_occurred_at IS NOT NULL);
