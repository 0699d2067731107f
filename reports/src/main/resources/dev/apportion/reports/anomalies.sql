-- Anomalies (issue H): a consumer's or feature's daily spend above k x its trailing median, and a feature's
-- cost per request above k x its trailing median. The trailing window holds the subject's previous days with
-- spend (at most ${window} days back); at least ${min_history} of them are needed. The median is the lower
-- one (quantile_disc), an actual day's value, so every figure stays an exact decimal.
CREATE OR REPLACE TEMP TABLE anomaly_series AS
SELECT 'consumer_daily_spend' AS kind, consumer AS subject, day, sum(billed_cost) AS value
FROM report_rows WHERE day IS NOT NULL AND allocated_resource_id IS NOT NULL GROUP BY ALL
UNION ALL
SELECT 'feature_daily_spend', feature, day, sum(billed_cost) FROM report_rows WHERE day IS NOT NULL GROUP BY ALL
UNION ALL
-- Cost per request in 10^-12 units of the currency, by integer division, so it stays exact. The spend's 10^-12
-- units are its text at 12 places without the point: multiplying a DECIMAL(38, 18) by 10^12 overflows from
-- 10^8 up. Truncating the spend first does not change the quotient (the part dropped is under one unit).
SELECT 'feature_cost_per_request', feature, day,
       CAST(CAST(replace(CAST(trunc(sum(billed_cost), 12) AS VARCHAR), '.', '') AS HUGEINT) // sum(requests) AS DECIMAL(38, 0))
           * CAST(0.000000000001 AS DECIMAL(38, 12))
FROM report_rows WHERE day IS NOT NULL GROUP BY ALL HAVING sum(requests) > 0;

CREATE OR REPLACE TEMP TABLE anomalies AS
SELECT kind, subject, day, value, baseline, history
FROM (
    SELECT *, quantile_disc(value, 0.5) OVER history_window AS baseline, count(*) OVER history_window AS history
    FROM anomaly_series
    WINDOW history_window AS (PARTITION BY kind, subject ORDER BY day
                              RANGE BETWEEN INTERVAL (${window}) DAY PRECEDING AND INTERVAL 1 DAY PRECEDING)
)
WHERE history >= ${min_history} AND baseline > 0 AND value > baseline * CAST(${k} AS DECIMAL(18, 6));
