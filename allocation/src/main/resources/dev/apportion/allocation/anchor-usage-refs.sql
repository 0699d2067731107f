-- The usage reference of the row keys the batches left without one (allocation-setup.sql: entry ids of several
-- lengths, or lines of several token types; usually none): the SHA-256 of the sorted cost line ids, in full.
UPDATE anchor_usage u SET usage_ref = v.usage_ref
FROM (
    SELECT c.anchor_id, c.consumer_id, c.principal_id, c.feature, c.environment,
           'sha256:' || sha256(array_to_string(list_sort(list(c.cost_line_id)), chr(10))) AS usage_ref
    FROM anchored_cost_lines c
    SEMI JOIN (SELECT * FROM anchor_usage WHERE usage_ref IS NULL) m
      ON m.anchor_id = c.anchor_id AND m.consumer_id IS NOT DISTINCT FROM c.consumer_id AND m.principal_id IS NOT DISTINCT FROM c.principal_id
     AND m.feature IS NOT DISTINCT FROM c.feature AND m.environment IS NOT DISTINCT FROM c.environment
    GROUP BY ALL
) v
WHERE u.usage_ref IS NULL
  AND v.anchor_id = u.anchor_id AND v.consumer_id IS NOT DISTINCT FROM u.consumer_id AND v.principal_id IS NOT DISTINCT FROM u.principal_id
  AND v.feature IS NOT DISTINCT FROM u.feature AND v.environment IS NOT DISTINCT FROM u.environment;
