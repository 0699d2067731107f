-- Weights of each (line, rule) candidate per row key. Direct: contracted ledger cost on the anchor;
-- activity: tokens (all, or of one token type), requests or cost on the anchor (window line), or of the cost
-- lines in the line's UTC days (window day) or the month (window month) that the rule's basis_selector picks,
-- by default those of the line's provider, account and model; residual even: 1 per consumer
-- active in the period; residual fixed: the split table's percent × seconds of each split period (fixed_weights).
CREATE OR REPLACE TEMP TABLE candidate_weights AS
SELECT c.anchor_id, c.rule_index, u.consumer_id, u.principal_id, u.feature, u.environment,
       -- Every branch's weight and usage quantity is DECIMAL(38, 18) (see fixed_weights in allocation-setup.sql).
       CAST(CASE WHEN c.method = 'direct' OR c.basis = 'cost' THEN coalesce(u.cost, 0)
            WHEN c.basis = 'tokens' THEN u.tokens WHEN c.basis = 'requests' THEN u.requests
            WHEN c.basis = i.token_type THEN u.tokens ELSE 0 END AS DECIMAL(38, 18)) AS weight,
       CASE WHEN c.method = 'direct' OR c.basis = 'cost' THEN ${currency} WHEN c.basis = 'requests' THEN 'Requests' ELSE 'Tokens' END AS usage_unit,
       CAST(CASE WHEN c.method = 'direct' OR c.basis = 'cost' THEN coalesce(u.cost, 0)
            WHEN c.basis = 'tokens' THEN u.tokens WHEN c.basis = 'requests' THEN u.requests
            WHEN c.basis = i.token_type THEN u.tokens ELSE 0 END AS DECIMAL(38, 18)) AS usage_quantity,
       u.usage_ref, u.requests AS usage_entry_count, u.rate_version,
       NULL::VARCHAR AS split_start, NULL::VARCHAR AS split_end
FROM line_candidates c JOIN anchor_usage u ON u.anchor_id = c.anchor_id JOIN invoice_lines i ON i.anchor_id = c.anchor_id
WHERE c.method = 'direct' OR (c.method = 'activity' AND c.window = 'line')
UNION ALL
SELECT c.anchor_id, c.rule_index, a.consumer_id, a.principal_id, a.feature, a.environment,
       CASE WHEN c.basis = 'cost' THEN coalesce(sum(a.contracted_cost), 0) WHEN c.basis = 'requests' THEN count(DISTINCT a.entry_id) ELSE sum(a.quantity) END,
       CASE WHEN c.basis = 'cost' THEN ${currency} WHEN c.basis = 'requests' THEN 'Requests' ELSE 'Tokens' END,
       CASE WHEN c.basis = 'cost' THEN coalesce(sum(a.contracted_cost), 0) WHEN c.basis = 'requests' THEN count(DISTINCT a.entry_id) ELSE sum(a.quantity) END,
       'sha256:' || sha256(string_agg(a.cost_line_id, chr(10) ORDER BY a.cost_line_id)),
       count(DISTINCT a.entry_id),
       string_agg(DISTINCT a.catalogue_id || ':' || a.catalogue_version, ',' ORDER BY a.catalogue_id || ':' || a.catalogue_version),
       NULL, NULL
FROM line_candidates c
JOIN invoice_lines i ON i.anchor_id = c.anchor_id
JOIN anchored_cost_lines a ON ${basis_scope}
 AND (c.basis IN ('tokens', 'requests', 'cost') OR a.token_type = c.basis)
 AND (c.window = 'month' OR (a.occurred_at >= date_trunc('day', i.ChargePeriodStart)
                             AND a.occurred_at < date_trunc('day', i.ChargePeriodEnd - INTERVAL 1 MICROSECOND) + INTERVAL 1 DAY))
WHERE c.method = 'activity' AND c.window IN ('day', 'month')
GROUP BY c.anchor_id, c.rule_index, c.basis, a.consumer_id, a.principal_id, a.feature, a.environment
UNION ALL
SELECT c.anchor_id, c.rule_index, a.consumer_id, NULL, NULL, NULL, 1, NULL, NULL, NULL, 0, NULL, NULL, NULL
FROM line_candidates c CROSS JOIN (SELECT DISTINCT consumer_id FROM anchored_cost_lines) a
WHERE c.method = 'residual' AND c.basis = 'even'
UNION ALL
SELECT c.anchor_id, c.rule_index, r.consumer_id, NULL, NULL, NULL, r.allocated, ${currency}, r.allocated, NULL, 0, NULL, NULL, NULL
FROM line_candidates c
CROSS JOIN (SELECT consumer_id, sum(billed_cost) AS allocated FROM allocation_rows
            WHERE method IN ('direct', 'activity') GROUP BY consumer_id HAVING sum(billed_cost) > 0) r
WHERE c.method = 'residual' AND c.basis = 'proportional'
UNION ALL
-- A fixed split names its consumers itself; the percentage goes to AllocatedMethodDetails as x_Percent.
SELECT f.anchor_id, f.rule_index, f.consumer_id, NULL, NULL, NULL, f.weight, NULL, f.percent, NULL, 0, NULL, f.split_start, f.split_end
FROM line_candidates c JOIN fixed_weights f ON f.anchor_id = c.anchor_id AND f.rule_index = c.rule_index
WHERE c.method = 'residual' AND c.basis = 'fixed';

INSERT INTO usage_ref_lines
SELECT DISTINCT w.usage_ref, a.entry_id, a.cost_line_id
FROM candidate_weights w
JOIN line_candidates c ON c.anchor_id = w.anchor_id AND c.rule_index = w.rule_index AND c.method = 'activity' AND c.window IN ('day', 'month')
JOIN invoice_lines i ON i.anchor_id = c.anchor_id
JOIN anchored_cost_lines a ON ${basis_scope}
 AND (c.basis IN ('tokens', 'requests', 'cost') OR a.token_type = c.basis)
 AND (c.window = 'month' OR (a.occurred_at >= date_trunc('day', i.ChargePeriodStart)
                             AND a.occurred_at < date_trunc('day', i.ChargePeriodEnd - INTERVAL 1 MICROSECOND) + INTERVAL 1 DAY))
 AND a.consumer_id IS NOT DISTINCT FROM w.consumer_id AND a.principal_id IS NOT DISTINCT FROM w.principal_id
 AND a.feature IS NOT DISTINCT FROM w.feature AND a.environment IS NOT DISTINCT FROM w.environment;
