-- Every usage reference with its sorted cost line ids (evidence/usage-refs.parquet is their unnesting): those of
-- anchored row keys as the aggregation sorted them, those of day and month windows sorted here. A reference is
-- the hash of its set, so one that occurs twice has the same list both times.
CREATE OR REPLACE TEMP TABLE usage_ref_lists AS
SELECT usage_ref, any_value(cost_line_ids) AS cost_line_ids
FROM (
    SELECT usage_ref, cost_line_ids FROM anchor_usage_ids
    UNION ALL
    SELECT usage_ref, list_sort(list(DISTINCT cost_line_id)) FROM usage_ref_lines GROUP BY usage_ref
)
GROUP BY usage_ref;

DROP TABLE anchor_usage_ids;
