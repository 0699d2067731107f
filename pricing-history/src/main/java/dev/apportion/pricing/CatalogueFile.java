package dev.apportion.pricing;

import dev.apportion.ledger.ProviderIds;
import dev.apportion.ledger.Sha256;
import dev.apportion.ledger.TokenType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads Apportion's own catalogue format (see {@code default-catalogue.yaml}): models with aliases and a
 * price history, each price citing its public source. Each model's prices run from their
 * {@code effective_from} to the next entry's.
 */
public final class CatalogueFile {
    /** The catalogue shipped with Apportion. */
    public static final String DEFAULT_RESOURCE = "default-catalogue.yaml";

    private static final YAMLMapper MAPPER = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private CatalogueFile() {
    }

    record Document(String catalogue, String currency, List<ModelEntry> models) {
    }

    record ModelEntry(String provider, String model, String developer, String family, List<String> aliases,
                      List<PriceEntry> prices) {
    }

    record PriceEntry(LocalDate effectiveFrom, String source, Map<String, BigDecimal> perMillion) {
    }

    /** The built-in catalogue. */
    public static Catalogue builtIn() {
        try (var in = CatalogueFile.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("The built-in catalogue " + DEFAULT_RESOURCE + " is missing");
            }
            return parse(in.readAllBytes(), DEFAULT_RESOURCE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Parses and validates catalogue bytes; {@code name} appears in every error. */
    public static Catalogue parse(byte[] bytes, String name) {
        Document document;
        try {
            document = MAPPER.readValue(new String(bytes, StandardCharsets.UTF_8), Document.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Cannot read catalogue " + name + ": " + e.getOriginalMessage(), e);
        }
        require(document.catalogue() != null, name, "has no 'catalogue' id");
        require(document.currency() != null, name, "has no 'currency'");
        require(document.models() != null && !document.models().isEmpty(), name, "has no 'models'");
        List<Catalogue.Rate> rates = new ArrayList<>();
        List<Catalogue.Alias> aliases = new ArrayList<>();
        Set<String> seenModels = new HashSet<>();
        for (ModelEntry model : document.models()) {
            require(model.provider() != null && model.model() != null, name, "has a model without provider or model id");
            String provider = ProviderIds.canonical(model.provider());
            String where = provider + "/" + model.model();
            require(seenModels.add(where), name, "lists " + where + " twice");
            require(model.prices() != null && !model.prices().isEmpty(), name, where + " has no prices");
            for (String alias : model.aliases() == null ? List.<String>of() : model.aliases()) {
                aliases.add(new Catalogue.Alias(provider, alias, model.model(), model.developer(), model.family()));
            }
            aliases.add(new Catalogue.Alias(provider, model.model(), model.model(), model.developer(), model.family()));
            List<PriceEntry> history = model.prices().stream()
                    .sorted(Comparator.comparing(PriceEntry::effectiveFrom)).toList();
            for (int i = 0; i < history.size(); i++) {
                PriceEntry price = history.get(i);
                require(price.effectiveFrom() != null, name, where + " has a price without effective_from");
                require(price.source() != null && !price.source().isBlank(), name,
                        where + " price from " + price.effectiveFrom() + " cites no source");
                require(price.perMillion() != null && !price.perMillion().isEmpty(), name,
                        where + " price from " + price.effectiveFrom() + " has no per_million prices");
                require(i == 0 || !price.effectiveFrom().equals(history.get(i - 1).effectiveFrom()), name,
                        where + " has two prices effective from " + price.effectiveFrom());
                var from = price.effectiveFrom().atStartOfDay(ZoneOffset.UTC).toInstant();
                var to = i + 1 < history.size()
                        ? history.get(i + 1).effectiveFrom().atStartOfDay(ZoneOffset.UTC).toInstant() : null;
                for (Map.Entry<String, BigDecimal> entry : price.perMillion().entrySet()) {
                    TokenType tokenType = TokenType.fromId(entry.getKey()).orElseThrow(() -> new IllegalArgumentException(
                            "Catalogue " + name + ": " + where + " has an unknown token type '" + entry.getKey() + "'"));
                    long per = tokenType == TokenType.WEB_SEARCH ? 1_000 : 1_000_000;
                    String entryId = where + "@" + price.effectiveFrom() + "#" + tokenType.id();
                    rates.add(new Catalogue.Rate(entryId, provider, model.model(), tokenType.id(), "standard", from, to,
                            entry.getValue(), per, price.source()));
                }
            }
        }
        return new Catalogue(document.catalogue(), Sha256.of(bytes), document.currency(), rates, aliases);
    }

    private static void require(boolean condition, String name, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("Catalogue " + name + " " + problem);
        }
    }
}
