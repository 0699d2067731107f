-- The usage-event table as the readers write it, empty: a period may have invoices and no logs at all.
CREATE OR REPLACE TEMP TABLE no_usage_events (
    request_id VARCHAR, occurred_at TIMESTAMPTZ, provider VARCHAR, model VARCHAR, billing_account_id VARCHAR,
    principal_id VARCHAR, consumer_id VARCHAR, feature VARCHAR, user_id VARCHAR, session_id VARCHAR,
    environment VARCHAR, service_tier VARCHAR, region VARCHAR, input_tokens BIGINT, cache_read_tokens BIGINT,
    cache_write_tokens BIGINT, cache_write_1h_tokens BIGINT, output_tokens BIGINT, reasoning_tokens BIGINT,
    web_search_calls BIGINT, status VARCHAR, logged_cost_usd DECIMAL(38, 12), corrects_request_id VARCHAR,
    source_sha256 VARCHAR, source_line BIGINT);
