-- The batch's shares become allocation rows: the rule's names and description, and the evidence of the weight
-- row each share was split by (row key columns, usage unit and quantity, usage reference, entry count, rate
-- versions, split period). The variance a direct rule leaves unallocated has no weight row and no evidence.
INSERT INTO allocation_rows
SELECT s.anchor_id, d.rule_id, CASE WHEN s.unallocated THEN 'unallocated' ELSE d.method END, d.owner, s.row_key,
       w.consumer_id, w.principal_id, w.feature, w.environment,
       CASE WHEN s.unallocated THEN NULL ELSE coalesce(w.consumer_id, 'unattributed') END,
       s.split_ratio, s.billed_cost, s.effective_cost, s.list_cost, s.contracted_cost, s.pricing_quantity, s.consumed_quantity,
       w.usage_unit, w.usage_quantity, w.usage_ref, coalesce(w.usage_entry_count, 0), w.rate_version,
       CASE WHEN s.unallocated THEN 'the line''s variance over its ledger, left unallocated by ' ELSE 'split by ' END
           || d.description || coalesce(s.variance_note, '')
           || CASE WHEN s.unit_price_identity_kept THEN '; list and contracted cost = unit price x row pricing quantity'
                   ELSE '; list and contracted cost split like billed cost (origin has no unit-price identity)' END,
       w.split_start, w.split_end
FROM allocation_shares s
JOIN rule_descriptions d ON d.rule_index = s.rule_index
LEFT JOIN candidate_weights w ON w.rowid = s.weight_row;

DELETE FROM allocation_shares;
