package dev.apportion.ledger;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;

/**
 * The layout of an Apportion home directory (DESIGN §4). Every path the suite reads or writes is named
 * here, so the layout is defined once.
 */
public record Home(Path root) {
    public static final String CONFIG_FILE = "apportion.yml";

    public Home {
        requireNonNull(root, "root is null");
        root = root.toAbsolutePath().normalize();
    }

    /** True when the directory holds an {@code apportion.yml}, i.e. was made by {@code init}. */
    public boolean isInitialised() {
        return Files.isRegularFile(config());
    }

    public Path config() {
        return root.resolve(CONFIG_FILE);
    }

    public Path inbox() {
        return root.resolve("inbox");
    }

    public Path archive() {
        return root.resolve("archive");
    }

    /** {@code archive/<sha256>/<name>}: the content-addressed original of an ingested file. */
    public Path archived(String sha256, String fileName) {
        return archive().resolve(sha256).resolve(fileName);
    }

    /** {@code archive/catalogues/<sha256>/<name>}: an imported price catalogue or contract-rate file. */
    public Path archivedCatalogue(String sha256, String fileName) {
        return archive().resolve("catalogues").resolve(sha256).resolve(fileName);
    }

    /** {@code state/catalogues.json}: the registry of imported catalogues in their precedence order. */
    public Path catalogueRegistry() {
        return state().resolve("catalogues.json");
    }

    public Path rejected() {
        return root.resolve("rejected");
    }

    public Path state() {
        return root.resolve("state");
    }

    public Path lockFile() {
        return state().resolve("apportion.lock");
    }

    public Path jobRepository() {
        return state().resolve("jobs");
    }

    /** Normalised usage events, one Parquet file per ingested input: {@code state/ledger/period=YYYY-MM/}. */
    public Path ledgerPartition(YearMonth period) {
        return state().resolve("ledger").resolve("period=" + period);
    }

    /** Normalised invoice lines, one Parquet file per ingested input: {@code state/invoices/period=YYYY-MM/}. */
    public Path invoicePartition(YearMonth period) {
        return state().resolve("invoices").resolve("period=" + period);
    }

    /** Row-level rejects of each ingested input: {@code state/rejects/<sha256>.parquet}. */
    public Path rowRejects() {
        return state().resolve("rejects");
    }

    /** Ingest records, the commit point of an ingested file: {@code state/ingested/<sha256>.json}. */
    public Path ingestedRecords() {
        return state().resolve("ingested");
    }

    public Path ingestedRecord(String sha256) {
        return ingestedRecords().resolve(sha256 + ".json");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    public Path privateKey() {
        return keys().resolve("evidence-ed25519.key");
    }

    public Path publicKey() {
        return keys().resolve("evidence-ed25519.pub");
    }

    public Path closes(YearMonth period) {
        return root.resolve("closes").resolve(period.toString());
    }

    /** The published close {@code closes/<period>/v<N>}. */
    public Path close(YearMonth period, int version) {
        return closes(period).resolve("v" + version);
    }

    /** The file naming the current version of a period's close. */
    public Path currentVersionFile(YearMonth period) {
        return closes(period).resolve("current");
    }

    /** The outputs of {@code dispute}: {@code disputes/<period>/<consumer, percent-encoded>/}. */
    public Path disputes(YearMonth period, String consumer) {
        return root.resolve("disputes").resolve(period.toString()).resolve(percentEncoded(consumer));
    }

    /**
     * A consumer id as one safe path segment: every byte of its UTF-8 form outside {@code A-Z a-z 0-9 - . _ ~} as
     * {@code %XX} (RFC 3986 unreserved), so {@code tenant:T-019} is {@code tenant%3AT-019}. A leading dot is
     * encoded too, so no id names {@code .}, {@code ..} or a hidden directory.
     */
    public static String percentEncoded(String text) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~'
                    || (c == '.' && encoded.length() > 0)) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(String.format(java.util.Locale.ROOT, "%02X", c));
            }
        }
        return encoded.toString();
    }

    /** Where the close job of {@code v<N>} builds its outputs before publication (renamed to {@code v<N>}). */
    public Path closeWork(YearMonth period, int version) {
        return closes(period).resolve(".work-v" + version);
    }
}
