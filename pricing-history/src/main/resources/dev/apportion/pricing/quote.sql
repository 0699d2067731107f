-- One quote row per request of the log (the contract header of `apportion prices quote`). Per token type
-- the list cost (0 when the request has none of that type, empty when that line is unpriced); totals are
-- empty unless every line is priced. A request's reason is its rate key's (unknown provider or model, no
-- rate at its time), else cost_out_of_range for a request priced beyond the bound of price.sql, else
-- unknown_token_type for a line no rate covers.
CREATE OR REPLACE TEMP TABLE quote_lines AS
SELECT entry_id,
       bool_and(priced) AS all_priced,
       bool_and(list_cost IS NOT NULL) AS all_listed,
       bool_or(unpriced_reason = 'cost_out_of_range') AS out_of_range,
       count(*) FILTER (WHERE token_type = 'input_uncached') AS has_input_uncached,
       any_value(list_cost) FILTER (WHERE token_type = 'input_uncached') AS input_uncached_cost,
       count(*) FILTER (WHERE token_type = 'cache_read') AS has_cache_read,
       any_value(list_cost) FILTER (WHERE token_type = 'cache_read') AS cache_read_cost,
       count(*) FILTER (WHERE token_type = 'cache_write_5m') AS has_cache_write_5m,
       any_value(list_cost) FILTER (WHERE token_type = 'cache_write_5m') AS cache_write_5m_cost,
       count(*) FILTER (WHERE token_type = 'cache_write_1h') AS has_cache_write_1h,
       any_value(list_cost) FILTER (WHERE token_type = 'cache_write_1h') AS cache_write_1h_cost,
       count(*) FILTER (WHERE token_type = 'output') AS has_output,
       any_value(list_cost) FILTER (WHERE token_type = 'output') AS output_cost,
       count(*) FILTER (WHERE token_type = 'web_search') AS has_web_search,
       any_value(list_cost) FILTER (WHERE token_type = 'web_search') AS web_search_cost,
       sum(list_cost) AS list_total,
       sum(contracted_cost) AS contracted_total
FROM cost_lines GROUP BY entry_id;

CREATE OR REPLACE TEMP TABLE price_quote AS
SELECT e.request_id, e.provider, e.logged_model AS model, e.rate_entry_id AS matched_entry, e.catalogue_version,
       CAST(CASE WHEN coalesce(l.has_input_uncached, 0) = 0 THEN 0 ELSE l.input_uncached_cost END AS DECIMAL(38, 18)) AS input_uncached_cost,
       CAST(CASE WHEN coalesce(l.has_cache_read, 0) = 0 THEN 0 ELSE l.cache_read_cost END AS DECIMAL(38, 18)) AS cache_read_cost,
       CAST(CASE WHEN coalesce(l.has_cache_write_5m, 0) = 0 THEN 0 ELSE l.cache_write_5m_cost END AS DECIMAL(38, 18)) AS cache_write_5m_cost,
       CAST(CASE WHEN coalesce(l.has_cache_write_1h, 0) = 0 THEN 0 ELSE l.cache_write_1h_cost END AS DECIMAL(38, 18)) AS cache_write_1h_cost,
       CAST(CASE WHEN coalesce(l.has_output, 0) = 0 THEN 0 ELSE l.output_cost END AS DECIMAL(38, 18)) AS output_cost,
       CAST(CASE WHEN coalesce(l.has_web_search, 0) = 0 THEN 0 ELSE l.web_search_cost END AS DECIMAL(38, 18)) AS web_search_cost,
       CAST(CASE WHEN l.entry_id IS NULL AND e.segment_unpriced_reason IS NULL THEN 0
                 WHEN l.all_listed THEN l.list_total END AS DECIMAL(38, 18)) AS list_total,
       CAST(CASE WHEN l.entry_id IS NULL AND e.segment_unpriced_reason IS NULL THEN 0
                 WHEN l.all_priced THEN l.contracted_total END AS DECIMAL(38, 18)) AS contracted_total,
       ${currency} AS currency,
       CASE WHEN (l.entry_id IS NULL AND e.segment_unpriced_reason IS NULL) OR l.all_priced THEN 'priced'
            ELSE 'unpriced:' || coalesce(e.segment_unpriced_reason, CASE WHEN l.out_of_range THEN 'cost_out_of_range' END, 'unknown_token_type') END AS status,
       e.source_line
FROM segmented_entries e LEFT JOIN quote_lines l ON l.entry_id = e.entry_id;
