package dev.apportion.pricing;

import static java.util.Objects.requireNonNull;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.Home;
import dev.apportion.ledger.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The catalogues of a home and their order (DESIGN §5): imported files live read-only under
 * {@code archive/catalogues/<sha256>/<name>}; {@code state/catalogues.json} lists them in registry order,
 * the built-in default among them (last until something is imported after it). Contract-rate files
 * always take precedence over list catalogues, in registry order among themselves.
 */
public final class CatalogueRegistry {
    /** The registry name of the built-in catalogue. */
    public static final String BUILT_IN = "apportion-default";

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One registered catalogue. {@code sha256} is its version; the built-in has no archived file. */
    public record Registered(String name, String format, String sha256, String importedAt) {
        public Registered {
            requireNonNull(name, "name is null");
            requireNonNull(format, "format is null");
            requireNonNull(sha256, "sha256 is null");
        }

        public boolean isBuiltIn() {
            return importedAt == null;
        }

        public boolean isContract() {
            return format.equals(ContractRatesFile.FORMAT);
        }
    }

    /** What an import did. */
    public enum Outcome { ADDED, REPLACED, UNCHANGED }

    /** The result of {@link #importFile}. */
    public record Imported(Registered catalogue, Outcome outcome, String replacedVersion, int precedence, CatalogueFormats.Parsed parsed) {
    }

    private final Home home;

    public CatalogueRegistry(Home home) {
        this.home = requireNonNull(home, "home is null");
    }

    /** The registry order as stored (the built-in included). */
    public List<Registered> order() {
        Path file = home.catalogueRegistry();
        List<Registered> order = new ArrayList<>();
        if (!Files.exists(file)) {
            order.add(builtIn());
            return order;
        }
        try {
            JsonNode root = JSON.readTree(Files.readString(file));
            for (JsonNode node : root.path("catalogues")) {
                order.add(node.path("name").asString().equals(BUILT_IN) ? builtIn()
                        : new Registered(node.path("name").asString(), node.path("format").asString(), node.path("sha256").asString(),
                        node.path("imported_at").asString()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the catalogue registry " + file, e);
        }
        return order;
    }

    /** The precedence in force: contract files first, then list catalogues, each in registry order. */
    public List<Registered> precedence() {
        return precedence(List.of());
    }

    /**
     * The precedence with the configuration's {@code pricing: sources:} override: the named catalogues first,
     * in that order, then the others in registry order; contract files stay first.
     *
     * @throws IllegalArgumentException when {@code sources} names no registered catalogue
     */
    public List<Registered> precedence(List<String> sources) {
        List<Registered> order = order();
        List<Registered> precedence = new ArrayList<>(order.stream().filter(Registered::isContract).toList());
        List<Registered> lists = new ArrayList<>(order.stream().filter(registered -> !registered.isContract()).toList());
        for (String source : sources) {
            Registered named = lists.stream().filter(registered -> registered.name().equals(source)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("pricing.sources names '" + source
                            + "', which is not a registered list catalogue; registered: "
                            + String.join(", ", order.stream().map(Registered::name).toList())));
            precedence.add(named);
            lists.remove(named);
        }
        precedence.addAll(lists);
        return precedence;
    }

    /**
     * Validates {@code file} in full, archives it and registers it: first, or right after {@code after} when
     * given. A file whose name is already registered replaces that entry in its place (a new version of the
     * same catalogue); identical content is a no-op. A file that fails validation changes nothing.
     *
     * @throws CatalogueException when the file is malformed
     * @throws IllegalArgumentException when {@code after} names no registered catalogue
     */
    public Imported importFile(Path file, String after, Clock clock) {
        String name = file.getFileName().toString();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
        if (name.equals(BUILT_IN)) {
            throw new IllegalArgumentException("The name " + BUILT_IN + " is the built-in catalogue's; rename the file");
        }
        CatalogueFormats.Parsed parsed = CatalogueFormats.parse(bytes, name);
        String sha256 = Sha256.of(bytes);
        List<Registered> order = order();
        if (after != null && order.stream().noneMatch(registered -> registered.name().equals(after))) {
            throw new IllegalArgumentException("--after " + after + " names no registered catalogue; registered: "
                    + String.join(", ", order.stream().map(Registered::name).toList()));
        }
        Registered registered = new Registered(name, parsed.format(), sha256, clock.instant().toString());
        Optional<Registered> existing = order.stream().filter(entry -> entry.name().equals(name)).findFirst();
        if (existing.isPresent() && existing.get().sha256().equals(sha256) && after == null) {
            return new Imported(existing.get(), Outcome.UNCHANGED, null, precedence().indexOf(existing.get()) + 1, parsed);
        }
        Path archived = home.archivedCatalogue(sha256, name);
        if (!Files.exists(archived)) {
            AtomicFiles.write(archived, bytes);
            archived.toFile().setReadOnly();
        }
        int position;
        if (existing.isPresent() && after == null) {
            position = order.indexOf(existing.get());
            order.set(position, registered);
        } else {
            existing.ifPresent(order::remove);
            position = after == null ? 0 : indexOf(order, after) + 1;
            order.add(position, registered);
        }
        write(order);
        return new Imported(registered, existing.isPresent() ? Outcome.REPLACED : Outcome.ADDED,
                existing.map(Registered::sha256).orElse(null), precedence().indexOf(registered) + 1, parsed);
    }

    /**
     * Registers exactly {@code order}, archiving each catalogue's {@code contents}: how a recomputation rebuilds,
     * in a scratch home, the catalogues a published close pinned. The built-in entry must be this build's.
     *
     * @throws IllegalArgumentException when a content's SHA-256 is not its entry's, or the built-in differs
     */
    public void restore(List<Registered> order, List<byte[]> contents) {
        for (int i = 0; i < order.size(); i++) {
            Registered registered = order.get(i);
            if (registered.isBuiltIn()) {
                if (!registered.sha256().equals(builtIn().sha256())) {
                    throw new IllegalArgumentException("the close was priced with the built-in catalogue " + registered.sha256()
                            + ", this build carries " + builtIn().sha256());
                }
                continue;
            }
            if (!Sha256.of(contents.get(i)).equals(registered.sha256())) {
                throw new IllegalArgumentException("the pinned catalogue " + registered.name() + " does not have the SHA-256 "
                        + registered.sha256() + " the close recorded");
            }
            AtomicFiles.write(home.archivedCatalogue(registered.sha256(), registered.name()), contents.get(i));
        }
        write(order);
    }

    /** The bytes of a registered catalogue, checked against its version. */
    public byte[] bytesOf(Registered registered) {
        if (registered.isBuiltIn()) {
            return CatalogueFile.builtInBytes();
        }
        Path file = home.archivedCatalogue(registered.sha256(), registered.name());
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (!Sha256.of(bytes).equals(registered.sha256())) {
                throw new IllegalStateException("The archived catalogue " + file + " no longer has the SHA-256 " + registered.sha256()
                        + " it was imported with; the archive was modified");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the archived catalogue " + file, e);
        }
    }

    /** The catalogues in {@code precedence}, with the configuration's model aliases. */
    public PriceBook priceBook(List<Registered> precedence, Map<String, String> modelAliases) {
        List<ContractRates> contracts = new ArrayList<>();
        List<Catalogue> catalogues = new ArrayList<>();
        for (Registered registered : precedence) {
            if (registered.isBuiltIn()) {
                catalogues.add(CatalogueFile.builtIn());
                continue;
            }
            CatalogueFormats.Parsed parsed = CatalogueFormats.parse(bytesOf(registered), registered.name());
            if (parsed.isContract()) {
                contracts.add(parsed.contracts());
            } else {
                catalogues.add(parsed.catalogue());
            }
        }
        return new PriceBook(contracts, catalogues, CatalogueFile.builtIn(), modelAliases);
    }

    private static int indexOf(List<Registered> order, String name) {
        for (int i = 0; i < order.size(); i++) {
            if (order.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("No registered catalogue " + name);
    }

    private void write(List<Registered> order) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("catalogues");
        for (Registered registered : order) {
            ObjectNode node = list.addObject().put("name", registered.name()).put("format", registered.format())
                    .put("sha256", registered.sha256());
            if (!registered.isBuiltIn()) {
                node.put("imported_at", registered.importedAt());
            }
        }
        AtomicFiles.write(home.catalogueRegistry(), (root.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static Registered builtIn() {
        return new Registered(BUILT_IN, CatalogueFile.FORMAT, CatalogueFile.builtIn().version(), null);
    }
}
