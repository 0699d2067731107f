package dev.apportion.pricing;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * A price catalogue resolved into effective-dated rates: one {@link Rate} per (provider, model, token type,
 * service tier, region) and period {@code [effectiveFrom, effectiveTo)}. Its version is the SHA-256 of the
 * catalogue file, so a ledger entry names exactly the prices it used.
 */
public record Catalogue(String id, String version, String currency, List<Rate> rates, List<Alias> aliases) {
    public Catalogue {
        requireNonNull(id, "id is null");
        requireNonNull(version, "version is null");
        requireNonNull(currency, "currency is null");
        rates = List.copyOf(rates);
        aliases = List.copyOf(aliases);
    }

    /**
     * One price in force on {@code [effectiveFrom, effectiveTo)}; {@code effectiveTo} null means open-ended.
     * {@code unitPrice} is per {@code per} units (1,000,000 tokens, or 1,000 web-search calls).
     */
    public record Rate(String entryId, String provider, String model, String tokenType, String serviceTier,
                       Instant effectiveFrom, Instant effectiveTo, BigDecimal unitPrice, long per, String source) {
        public Rate {
            requireNonNull(entryId, "entryId is null");
            requireNonNull(provider, "provider is null");
            requireNonNull(model, "model is null");
            requireNonNull(tokenType, "tokenType is null");
            requireNonNull(serviceTier, "serviceTier is null");
            requireNonNull(effectiveFrom, "effectiveFrom is null");
            requireNonNull(unitPrice, "unitPrice is null");
            requireNonNull(source, "source is null");
            if (unitPrice.signum() < 0) {
                throw new IllegalArgumentException("Negative price " + unitPrice + " for " + entryId);
            }
            if (effectiveTo != null && !effectiveTo.isAfter(effectiveFrom)) {
                throw new IllegalArgumentException("Empty period [" + effectiveFrom + ", " + effectiveTo + ") for " + entryId);
            }
        }

        /** The exact price of one unit (per is a power of ten, so the quotient is exact). */
        public BigDecimal pricePerUnit() {
            return unitPrice.divide(BigDecimal.valueOf(per));
        }
    }

    /** A model id as a provider reports it (for example a dated snapshot) and the catalogue model it means. */
    public record Alias(String provider, String alias, String model, String developer, String family) {
        public Alias {
            requireNonNull(provider, "provider is null");
            requireNonNull(alias, "alias is null");
            requireNonNull(model, "model is null");
        }
    }
}
