-- Types and validates the generic request log (DESIGN §5). Every row gets at most one problem: the first
-- check that fails, with the column it concerns. request-log.sql then finds duplicates and corrections.
-- _line_break is whether the record's raw text had a line break inside a cell, for the CSV read that numbers
-- records by their order (RequestLogReader): it must then start again on the general path.
-- ${may_need_trim} is true, or for a file known to be all ASCII, whether t starts or ends with a space: trim() on
-- every cell was a quarter of this pass.
-- The checked file ends with the ledger's source columns: a file with no reject, duplicate or correction and one
-- period is its ledger file as it is (Readers), so a clean log is written once, not twice. Where the records
-- are numbered only afterwards by their order (the streamed CSV read), source_line is null and
-- source_first_line the line of the first record: LedgerFiles reads source_line as source_first_line + the
-- row's number in the file.
CREATE OR REPLACE TEMP MACRO blank_to_null(t) AS
    CASE WHEN ${may_need_trim} THEN CASE WHEN trim(t) IN ('', 'NULL') THEN NULL ELSE trim(t) END
         WHEN t IN ('', 'NULL') THEN NULL
         ELSE t
    END;
CREATE OR REPLACE TEMP MACRO integer_problem(t) AS
    CASE WHEN t IS NULL THEN NULL
         WHEN NOT regexp_full_match(t, '-?[0-9]{1,18}') THEN 'invalid_integer'
         WHEN t LIKE '-%' AND regexp_full_match(t, '-0*[1-9][0-9]*') THEN 'negative_value'
         -- No request has a trillion tokens; below that, a month of any row key's tokens stays within the close's
         -- DECIMAL(38, 18) weights. The length test first keeps the cast off ordinary counts.
         WHEN length(t) > 12 AND CAST(t AS BIGINT) >= 1000000000000 THEN 'out_of_range'
    END;
CREATE OR REPLACE TEMP MACRO as_count(t) AS CAST(t AS BIGINT);
-- request_text (built by the reader of each container) holds every contract column as raw text. request_checked
-- is each row typed, with its first problem, in file order: streamed once into a scratch Parquet file that
-- everything below reads column by column. As a table it took as much memory as the raw text (about 4 GB for
-- 10M rows), so large files spilled and every later step slowed down.
COPY (
WITH request_norm AS (
SELECT _location, _position, ${line_break} AS _line_break,
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
        WHEN integer_problem(input_tokens) IS NOT NULL THEN [integer_problem(input_tokens), 'input_tokens', 'input_tokens must be a whole number >= 0 and below 10^12: ' || input_tokens]
        WHEN integer_problem(cache_read_tokens) IS NOT NULL THEN [integer_problem(cache_read_tokens), 'cache_read_tokens', 'cache_read_tokens must be a whole number >= 0 and below 10^12: ' || cache_read_tokens]
        WHEN integer_problem(cache_write_tokens) IS NOT NULL THEN [integer_problem(cache_write_tokens), 'cache_write_tokens', 'cache_write_tokens must be a whole number >= 0 and below 10^12: ' || cache_write_tokens]
        WHEN integer_problem(cache_write_1h_tokens) IS NOT NULL THEN [integer_problem(cache_write_1h_tokens), 'cache_write_1h_tokens', 'cache_write_1h_tokens must be a whole number >= 0 and below 10^12: ' || cache_write_1h_tokens]
        WHEN integer_problem(output_tokens) IS NOT NULL THEN [integer_problem(output_tokens), 'output_tokens', 'output_tokens must be a whole number >= 0 and below 10^12: ' || output_tokens]
        WHEN integer_problem(reasoning_tokens) IS NOT NULL THEN [integer_problem(reasoning_tokens), 'reasoning_tokens', 'reasoning_tokens must be a whole number >= 0 and below 10^12: ' || reasoning_tokens]
        WHEN integer_problem(web_search_calls) IS NOT NULL THEN [integer_problem(web_search_calls), 'web_search_calls', 'web_search_calls must be a whole number >= 0 and below 10^12: ' || web_search_calls]
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
        -- Pricing splits each request's logged cost over its lines in 128-bit integers of 10^-12: a million dollars for
        -- one request bounds that arithmetic, and a larger value is a unit mistake (micro-dollars logged as dollars).
        WHEN logged_cost_usd IS NOT NULL AND abs(TRY_CAST(logged_cost_usd AS DECIMAL(38, 12))) >= 1000000
            THEN ['out_of_range', 'logged_cost_usd', 'logged_cost_usd must be below 1000000 (USD per request) in absolute value: ' || logged_cost_usd]
    END AS problem
FROM request_norm
)
SELECT _location, _position, _line_break, problem,
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
       corrects_request_id, tags,
       ${source_sha256} AS source_sha256, CAST(_position AS BIGINT) AS source_line, ${source_first_line}::BIGINT AS source_first_line
FROM request_problem
) TO ${checked_file} (FORMAT parquet, COMPRESSION snappy);
