-- Builds the FOCUS rows: each allocation row is an allocated charge of its origin invoice line, whose
-- dimensions it copies unchanged (DESIGN §9); the allocation's own columns and the evidence come from the
-- allocation row, the line's reconciliation cell and the rule.
CREATE OR REPLACE TEMP VIEW focus_base AS
SELECT ${origin_columns},
       a.principal_id AS "${principal_column}",
       a.consumer_id AS "${consumer_column}",
       i.anchor_id AS x_AllocationAnchorId,
       a.method AS x_AllocationMethod,
       'row_' || left(sha256(i.anchor_id || chr(31) || a.row_key), 32) AS x_AllocationRowId,
       a.owner AS x_EvidenceOwner,
       a.mapping_note || '; origin ' || i.source_format || ' line ' || i.source_line AS x_MappingNote,
       coalesce(r.quantity_source, CASE WHEN i.ConsumedQuantity IS NOT NULL OR i.PricingQuantity IS NOT NULL THEN 'invoice' END) AS x_QuantitySource,
       a.rate_version AS x_RateVersion,
       coalesce(r.reconciliation_class, 'unmatched_invoice_line') AS x_ReconciliationStatus,
       coalesce(CAST(a.split_period_end AS TIMESTAMPTZ), i.ChargePeriodEnd) AS x_SplitPeriodEnd,
       coalesce(CAST(a.split_period_start AS TIMESTAMPTZ), i.ChargePeriodStart) AS x_SplitPeriodStart,
       a.split_ratio AS x_SplitRatio,
       a.usage_entry_count AS x_UsageEntryCount,
       a.usage_ref AS x_UsageRef
FROM allocation_rows a
JOIN invoice_lines i ON i.anchor_id = a.anchor_id
LEFT JOIN invoice_usage r ON r.anchor_id = a.anchor_id
LEFT JOIN consumers k ON k.consumer_id = a.allocated_resource_id;

-- Evidence status: usage methods need the actor pair, anchor, ratio, period, usage reference, owner and
-- mapping note; residual and unallocated rows everything but the actor pair and usage reference.
CREATE OR REPLACE TEMP VIEW focus_status AS
SELECT *,
       CASE WHEN missing = '' THEN 'complete' ELSE 'insufficient:' || missing END AS x_EvidenceStatus
FROM (
    SELECT *,
           array_to_string(list_sort(list_filter([
               CASE WHEN x_AllocationMethod IN ('direct', 'activity') AND "${consumer_column}" IS NULL THEN '${consumer_column}' END,
               CASE WHEN x_AllocationMethod IN ('direct', 'activity') AND "${principal_column}" IS NULL THEN '${principal_column}' END,
               CASE WHEN x_AllocationAnchorId IS NULL THEN 'x_AllocationAnchorId' END,
               CASE WHEN x_EvidenceOwner IS NULL THEN 'x_EvidenceOwner' END,
               CASE WHEN x_MappingNote IS NULL THEN 'x_MappingNote' END,
               CASE WHEN x_SplitPeriodStart IS NULL OR x_SplitPeriodEnd IS NULL THEN 'x_SplitPeriodStart' END,
               CASE WHEN x_SplitRatio IS NULL THEN 'x_SplitRatio' END,
               CASE WHEN x_AllocationMethod IN ('direct', 'activity') AND x_UsageRef IS NULL THEN 'x_UsageRef' END
           ], lambda name: name IS NOT NULL)), ',') AS missing
    FROM focus_base
);

-- The canonical serialisation is computed once, in the two parts around x_EvidenceHash: the hash covers
-- both parts joined by a tab (all columns but itself), the content digest the parts with the hash between.
CREATE OR REPLACE TEMP VIEW focus_canonical AS
SELECT *, ${canonical_before_hash} AS canonical_before_hash, ${canonical_after_hash} AS canonical_after_hash
FROM focus_status;
CREATE OR REPLACE TEMP VIEW focus_hashed AS
SELECT ${columns_without_hash}, sha256(canonical_before_hash || chr(9) || canonical_after_hash) AS x_EvidenceHash,
       canonical_before_hash, canonical_after_hash
FROM focus_canonical;
