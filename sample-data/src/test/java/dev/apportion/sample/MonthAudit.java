package dev.apportion.sample;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.ledger.sample.GeneratedMonth;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Reads a generated month back and checks it against the brief with arithmetic of its own: token sums per
 * cell recomputed from the log, prices from {@link Oracle}, totals re-added from the invoice lines.
 */
final class MonthAudit {
    static final List<String> TOKEN_TYPES = List.of("input_uncached", "cache_read", "cache_write_5m", "output");
    private static final BigDecimal ONE_MILLION = new BigDecimal("1000000");

    final YearMonth period;
    final GeneratedMonth month;
    final CsvTable requests;
    final Map<String, CsvTable> invoices = new TreeMap<>();
    private Map<Cell, Long> loggedTokens;

    /** Uniquely identifies an invoice usage line. */
    record Cell(String provider, LocalDate day, String model, String tokenType) implements Comparable<Cell> {
        @Override
        public int compareTo(Cell other) {
            return toString().compareTo(other.toString());
        }
    }

    MonthAudit(YearMonth period, Path directory, GeneratedMonth month) throws IOException {
        this.period = period;
        this.month = month;
        this.requests = CsvTable.read(directory.resolve("requests-" + period + ".csv"));
        for (String provider : List.of("openai", "anthropic")) {
            invoices.put(provider, CsvTable.read(directory.resolve("invoice-" + provider + "-" + period + ".focus.csv")));
        }
    }

    /** Σ tokens of the log per (provider, UTC day, canonical model, token type), counting empty cells as 0. */
    Map<Cell, Long> loggedTokens() {
        if (loggedTokens == null) {
            loggedTokens = sumLoggedTokens();
        }
        return loggedTokens;
    }

    private Map<Cell, Long> sumLoggedTokens() {
        Function<List<String>, String> model = requests.column("model");
        Function<List<String>, String> occurredAt = requests.column("occurred_at");
        Function<List<String>, String> input = requests.column("input_tokens");
        Function<List<String>, String> cacheRead = requests.column("cache_read_tokens");
        Function<List<String>, String> cacheWrite = requests.column("cache_write_tokens");
        Function<List<String>, String> cacheWrite1h = requests.column("cache_write_1h_tokens");
        Function<List<String>, String> output = requests.column("output_tokens");
        Map<Cell, Long> sums = new HashMap<>();
        for (List<String> row : requests.rows()) {
            String canonical = Oracle.CANONICAL.get(model.apply(row));
            String provider = Oracle.PROVIDER.get(canonical);
            LocalDate day = LocalDate.ofInstant(Instant.parse(occurredAt.apply(row)), ZoneOffset.UTC);
            long read = count(cacheRead.apply(row));
            long write = count(cacheWrite.apply(row));
            long uncached = count(input.apply(row)) - read - write - count(cacheWrite1h.apply(row));
            sums.merge(new Cell(provider, day, canonical, "input_uncached"), uncached, Long::sum);
            sums.merge(new Cell(provider, day, canonical, "cache_read"), read, Long::sum);
            sums.merge(new Cell(provider, day, canonical, "cache_write_5m"), write, Long::sum);
            sums.merge(new Cell(provider, day, canonical, "output"), count(output.apply(row)), Long::sum);
        }
        sums.values().removeIf(sum -> sum == 0);
        return Map.copyOf(sums);
    }

    /** ConsumedQuantity per cell over the usage lines of both invoices; a cell must not appear twice. */
    Map<Cell, Long> invoicedTokens() {
        Map<Cell, Long> quantities = new HashMap<>();
        invoices.forEach((provider, invoice) -> {
            for (Map<String, String> line : usageLines(invoice)) {
                String tokenType = tokenTypeOfMeter(line.get("SkuMeter"));
                Cell cell = new Cell(provider, LocalDate.ofInstant(Instant.parse(line.get("ChargePeriodStart")),
                        ZoneOffset.UTC), line.get("SkuId"), tokenType);
                Long previous = quantities.put(cell, Long.parseLong(line.get("ConsumedQuantity")));
                assertThat(previous).as("second line for %s", cell).isNull();
            }
        });
        return quantities;
    }

    /** Cells billed above the log, with the billed excess as a fraction of the logged tokens. */
    Map<Cell, BigDecimal> excessShares() {
        Map<Cell, Long> logged = loggedTokens();
        Map<Cell, Long> invoiced = invoicedTokens();
        assertThat(invoiced.keySet()).as("cells with tokens").containsExactlyInAnyOrderElementsOf(logged.keySet());
        Map<Cell, BigDecimal> shares = new TreeMap<>();
        logged.forEach((cell, tokens) -> {
            long billed = invoiced.get(cell);
            if (billed != tokens) {
                shares.put(cell, BigDecimal.valueOf(billed - tokens).divide(BigDecimal.valueOf(tokens), 12,
                        RoundingMode.HALF_EVEN));
            }
        });
        return shares;
    }

    /** Σ |excess tokens × list price| over the variance cells. */
    BigDecimal varianceCost() {
        Map<Cell, Long> logged = loggedTokens();
        Map<Cell, Long> invoiced = invoicedTokens();
        BigDecimal cost = BigDecimal.ZERO;
        for (Map.Entry<Cell, Long> entry : invoiced.entrySet()) {
            Cell cell = entry.getKey();
            long excess = Math.abs(entry.getValue() - logged.getOrDefault(cell, 0L));
            BigDecimal price = Oracle.PRICES.get(cell.model()).get(cell.tokenType());
            cost = cost.add(price.multiply(BigDecimal.valueOf(excess)).divide(ONE_MILLION));
        }
        return cost;
    }

    /** Σ BilledCost over every line of both invoices. */
    BigDecimal billedTotal() {
        BigDecimal total = BigDecimal.ZERO;
        for (CsvTable invoice : invoices.values()) {
            for (Map<String, String> line : invoice.rowMaps()) {
                total = total.add(new BigDecimal(line.get("BilledCost")));
            }
        }
        return total;
    }

    /** Checks the pricing arithmetic of every usage line and returns how many lines were checked. */
    int assertUsageLinesPricedExactly() {
        int checked = 0;
        for (CsvTable invoice : invoices.values()) {
            for (Map<String, String> line : usageLines(invoice)) {
                String context = line.get("ChargeDescription") + " " + line.get("ChargePeriodStart");
                String model = line.get("SkuId");
                String tokenType = tokenTypeOfMeter(line.get("SkuMeter"));
                BigDecimal unitPrice = new BigDecimal(line.get("ListUnitPrice"));
                BigDecimal pricingQuantity = new BigDecimal(line.get("PricingQuantity"));
                BigDecimal listCost = new BigDecimal(line.get("ListCost"));
                BigDecimal consumed = new BigDecimal(line.get("ConsumedQuantity"));
                assertThat(unitPrice).as(context).isEqualByComparingTo(Oracle.PRICES.get(model).get(tokenType));
                assertThat(pricingQuantity.multiply(ONE_MILLION)).as(context).isEqualByComparingTo(consumed);
                assertThat(listCost).as(context).isEqualByComparingTo(unitPrice.multiply(pricingQuantity));
                assertThat(new BigDecimal(line.get("BilledCost"))).as(context)
                        .isEqualTo(listCost.setScale(6, RoundingMode.HALF_UP));
                assertThat(line.get("EffectiveCost")).as(context).isEqualTo(line.get("BilledCost"));
                assertThat(line.get("ContractedCost")).as(context).isEqualTo(line.get("ListCost"));
                assertThat(line.get("ContractedUnitPrice")).as(context).isEqualTo(line.get("ListUnitPrice"));
                assertThat(line.get("PricingUnit")).as(context).isEqualTo("1000000 Tokens");
                assertThat(line.get("ConsumedUnit")).as(context).isEqualTo("Tokens");
                assertThat(line.get("SkuPriceId")).as(context).isEqualTo(model + ":" + tokenType + ":standard");
                assertThat(line.get("SkuPriceDetails")).as(context)
                        .startsWith("{\"x_ModelId\":\"" + model + "\",")
                        .endsWith(",\"x_ServiceTier\":\"standard\",\"x_TokenType\":\"" + tokenType + "\"}");
                LocalDate day = LocalDate.ofInstant(Instant.parse(line.get("ChargePeriodStart")), ZoneOffset.UTC);
                assertThat(line.get("ChargePeriodStart")).as(context).isEqualTo(day + "T00:00:00Z");
                assertThat(line.get("ChargePeriodEnd")).as(context).isEqualTo(day.plusDays(1) + "T00:00:00Z");
                assertThat(YearMonth.from(day)).as(context).isEqualTo(period);
                checked++;
            }
        }
        return checked;
    }

    static List<Map<String, String>> usageLines(CsvTable invoice) {
        return invoice.rowMaps().stream().filter(line -> line.get("ChargeCategory").equals("Usage")).toList();
    }

    static String tokenTypeOfMeter(String skuMeter) {
        return switch (skuMeter) {
            case "Input Tokens" -> "input_uncached";
            case "Cache Read Input Tokens" -> "cache_read";
            case "Cache Write Input Tokens" -> "cache_write_5m";
            case "Output Tokens" -> "output";
            default -> throw new AssertionError("Unexpected SkuMeter " + skuMeter);
        };
    }

    static long count(String cell) {
        return cell.isEmpty() ? 0 : Long.parseLong(cell);
    }
}
