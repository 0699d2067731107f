package dev.apportion.ledger.sample;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link SampleMonthGenerator} wrote: the files, the number of request-log rows and the total
 * {@code BilledCost} of the invoice lines (in the billing currency), which a close must reproduce exactly.
 */
public record GeneratedMonth(List<Path> files, long requests, BigDecimal invoicedTotal, String currency) {
    public GeneratedMonth {
        files = List.copyOf(requireNonNull(files, "files is null"));
        requireNonNull(invoicedTotal, "invoicedTotal is null");
        requireNonNull(currency, "currency is null");
    }
}
