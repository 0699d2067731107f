package dev.apportion.focus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FocusSchemaTest {
    /** focus.md §13 item 2: the Mandatory columns of FOCUS 1.4 Cost and Usage, typed in by hand. */
    private static final List<String> CHECKLIST_MANDATORY = List.of(
            "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
            "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargePeriodEnd",
            "ChargePeriodStart", "ContractedCost", "EffectiveCost", "HostProviderName", "InvoiceIssuerName",
            "ListCost", "PricingQuantity", "PricingUnit", "ServiceCategory", "ServiceName", "ServiceProviderName");

    /** The same checklist: of the 21, these may contain nulls under their rules. */
    private static final Set<String> CHECKLIST_MANDATORY_NULLABLE = Set.of(
            "BillingAccountName", "ChargeClass", "ChargeDescription", "HostProviderName", "PricingQuantity",
            "PricingUnit");

    private static Map<String, FocusColumn> byName() {
        return FocusSchema.costAndUsage().stream()
                .collect(Collectors.toMap(FocusColumn::name, Function.identity()));
    }

    @Test
    void costAndUsage_hasSixtyFiveDistinctColumns() {
        assertThat(FocusSchema.costAndUsage()).hasSize(65);
        assertThat(byName()).hasSize(65);
    }

    @Test
    void costAndUsage_isInAsciiOrder() {
        List<String> names = FocusSchema.costAndUsage().stream().map(FocusColumn::name).toList();
        assertThat(names).allSatisfy(name -> assertThat(name).matches("[A-Za-z]+"));
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertThat(names).isEqualTo(sorted);
        assertThat(names.get(0)).isEqualTo("AllocatedMethodDetails");
        assertThat(names.get(64)).isEqualTo("Tags");
    }

    @Test
    void costAndUsage_mandatoryColumnsAreExactlyTheChecklist() {
        Map<String, FocusColumn> columns = byName();
        assertThat(CHECKLIST_MANDATORY).hasSize(21).allSatisfy(name -> {
            assertThat(columns).containsKey(name);
            assertThat(columns.get(name).featureLevel()).isEqualTo(FocusColumn.MANDATORY);
            assertThat(columns.get(name).allowsNulls()).isEqualTo(CHECKLIST_MANDATORY_NULLABLE.contains(name));
        });
        assertThat(FocusSchema.costAndUsage())
                .filteredOn(column -> column.featureLevel().equals(FocusColumn.MANDATORY))
                .extracting(FocusColumn::name)
                .containsExactlyElementsOf(CHECKLIST_MANDATORY);
    }

    @Test
    void costAndUsage_featureLevelCounts() {
        Map<String, Long> counts = FocusSchema.costAndUsage().stream()
                .collect(Collectors.groupingBy(FocusColumn::featureLevel, Collectors.counting()));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(
                FocusColumn.MANDATORY, 21L, FocusColumn.CONDITIONAL, 40L, FocusColumn.RECOMMENDED, 4L));
        assertThat(FocusSchema.costAndUsage())
                .filteredOn(column -> column.featureLevel().equals(FocusColumn.RECOMMENDED))
                .extracting(FocusColumn::name)
                .containsExactly("AllocatedMethodDetails", "AvailabilityZone", "ChargeFrequency", "ServiceSubcategory");
    }

    @Test
    void costAndUsage_omitsColumnsRemovedInOnePointFour() {
        assertThat(byName()).doesNotContainKeys("ProviderName", "PublisherName");
    }

    @Test
    void costAndUsage_dataTypesFollowTheTable() {
        Map<FocusDataType, List<String>> byType = FocusSchema.costAndUsage().stream()
                .collect(Collectors.groupingBy(FocusColumn::dataType,
                        Collectors.mapping(FocusColumn::name, Collectors.toList())));
        assertThat(byType.get(FocusDataType.DATE_TIME))
                .containsExactly("BillingPeriodEnd", "BillingPeriodStart", "ChargePeriodEnd", "ChargePeriodStart");
        assertThat(byType.get(FocusDataType.JSON)).containsExactly("AllocatedMethodDetails", "AllocatedTags",
                "CommitmentProgramEligibilityDetails", "ContractApplied", "SkuPriceDetails", "Tags");
        assertThat(byType.get(FocusDataType.DECIMAL)).containsExactly("BilledCost", "CommitmentDiscountQuantity",
                "ConsumedQuantity", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost",
                "ListUnitPrice", "PricingCurrencyContractedUnitPrice", "PricingCurrencyEffectiveCost",
                "PricingCurrencyListUnitPrice", "PricingQuantity");
        assertThat(byType.get(FocusDataType.STRING)).hasSize(43);
    }

    @Test
    void costAndUsage_nonMandatoryColumnsThatDisallowNulls() {
        // focus.md §4 notes: PricingCurrency and PricingCurrencyEffectiveCost are recorded as not null.
        assertThat(FocusSchema.costAndUsage())
                .filteredOn(column -> !column.allowsNulls() && !column.featureLevel().equals(FocusColumn.MANDATORY))
                .extracting(FocusColumn::name)
                .containsExactly("BillingAccountType", "ChargeFrequency", "PricingCurrency",
                        "PricingCurrencyEffectiveCost", "ServiceSubcategory");
    }

    @Test
    void mandatoryNotNull_isTheMandatoryColumnsWithoutNulls() {
        assertThat(FocusSchema.mandatoryNotNull()).containsExactly(
                "BilledCost", "BillingAccountId", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
                "ChargeCategory", "ChargePeriodEnd", "ChargePeriodStart", "ContractedCost", "EffectiveCost",
                "InvoiceIssuerName", "ListCost", "ServiceCategory", "ServiceName", "ServiceProviderName");
    }

    @Test
    void allowedValues_smallEnumerations() {
        Map<String, Set<String>> allowed = FocusSchema.allowedValues();
        assertThat(allowed.get("ChargeCategory")).containsExactlyInAnyOrder("Adjustment", "Credit", "Purchase", "Tax", "Usage");
        assertThat(allowed.get("ChargeClass")).containsExactly("Correction");
        assertThat(allowed.get("ChargeFrequency")).containsExactlyInAnyOrder("One-Time", "Recurring", "Usage-Based");
        assertThat(allowed.get("PricingCategory")).containsExactlyInAnyOrder("Standard", "Dynamic", "Committed", "Other");
        assertThat(allowed.get("CommitmentDiscountCategory")).containsExactlyInAnyOrder("Spend", "Usage");
        assertThat(allowed.get("CommitmentDiscountStatus")).containsExactlyInAnyOrder("Used", "Unused");
        assertThat(allowed.get("CapacityReservationStatus")).containsExactlyInAnyOrder("Used", "Unused");
    }

    @Test
    void allowedValues_serviceCategoriesAndSubcategories() {
        Map<String, Set<String>> allowed = FocusSchema.allowedValues();
        assertThat(allowed.get("ServiceCategory")).hasSize(19)
                .contains("AI and Machine Learning", "Management and Governance", "Other");
        assertThat(allowed.get("ServiceSubcategory")).hasSize(82)
                .contains("Generative AI", "Other (AI and Machine Learning)", "Other (Other)", "Continuous Integration and Deployment");
        // Every category has its "Other (<category>)" subcategory.
        assertThat(allowed.get("ServiceCategory"))
                .allSatisfy(category -> assertThat(allowed.get("ServiceSubcategory")).contains("Other (" + category + ")"));
    }

    @Test
    void allowedValues_onlyEnumeratedColumnsOfTheCatalogue() {
        assertThat(FocusSchema.allowedValues().keySet()).containsExactly(
                "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeFrequency",
                "CommitmentDiscountCategory", "CommitmentDiscountStatus", "PricingCategory", "ServiceCategory",
                "ServiceSubcategory");
        assertThat(byName()).containsKeys(FocusSchema.allowedValues().keySet().toArray(String[]::new));
    }

    @Test
    void collections_areUnmodifiable() {
        assertThatThrownBy(() -> FocusSchema.costAndUsage().remove(0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> FocusSchema.mandatoryNotNull().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> FocusSchema.allowedValues().remove("ChargeClass"))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> FocusSchema.allowedValues().get("ChargeClass").add("Other"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void focusColumn_unknownFeatureLevel_rejected() {
        assertThatThrownBy(() -> new FocusColumn("BilledCost", FocusDataType.DECIMAL, "mandatory", false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mandatory")
                .hasMessageContaining("BilledCost");
    }

    @Test
    void focusColumn_invalidName_rejected() {
        assertThatThrownBy(() -> new FocusColumn("Billed Cost", FocusDataType.DECIMAL, FocusColumn.MANDATORY, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Billed Cost");
    }

    @Test
    void focusDataType_unknownCatalogueName_rejected() {
        assertThatThrownBy(() -> FocusDataType.fromCatalogueName("Date/Time"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Date/Time");
    }
}
