-- The full, sorted list of rate versions of the row keys that had several (after every batch of anchor_usage).
UPDATE anchor_usage u SET rate_version = v.rate_version
FROM (
    SELECT c.anchor_id, c.consumer_id, c.principal_id, c.feature, c.environment,
           string_agg(DISTINCT c.catalogue_id || ':' || c.catalogue_version, ',' ORDER BY c.catalogue_id || ':' || c.catalogue_version) AS rate_version
    FROM anchored_cost_lines c
    SEMI JOIN (SELECT * FROM anchor_usage WHERE several_rate_versions) m
      ON m.anchor_id = c.anchor_id AND m.consumer_id IS NOT DISTINCT FROM c.consumer_id AND m.principal_id IS NOT DISTINCT FROM c.principal_id
     AND m.feature IS NOT DISTINCT FROM c.feature AND m.environment IS NOT DISTINCT FROM c.environment
    GROUP BY ALL
) v
WHERE u.several_rate_versions
  AND v.anchor_id = u.anchor_id AND v.consumer_id IS NOT DISTINCT FROM u.consumer_id AND v.principal_id IS NOT DISTINCT FROM u.principal_id
  AND v.feature IS NOT DISTINCT FROM u.feature AND v.environment IS NOT DISTINCT FROM u.environment;

ALTER TABLE anchor_usage DROP COLUMN several_rate_versions;
