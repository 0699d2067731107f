package dev.apportion.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.apportion.focus.EvidenceKeys;
import dev.apportion.focus.ManifestSignature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.YearMonth;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify} against tampering (issue F): an untouched close verifies; each kind of tampering, done to a copy
 * of the same published home, makes it exit 1 with a message naming what broke.
 */
class VerifyTamperingIT {
    static final YearMonth OCTOBER = YearMonth.of(2026, 10);

    @TempDir
    Path directory;

    private Path original;

    @BeforeEach
    void publish() throws Exception {
        original = directory.resolve("original");
        TestHome test = TestHome.init(original);
        test.drop("october-invoice.csv", WorkedExampleIT.FOCUS_HEADER + ReconciliationIT.CLEAN_INVOICE);
        test.drop("october-requests.csv", ReconciliationIT.REQUEST_HEADER + ReconciliationIT.CLEAN_REQUESTS);
        assertThat(test.run("close", "--period", "2026-10", "--home", original.toString())).as(test.lastErr).isZero();
        assertThat(test.run("verify", "--period", "2026-10", "--home", original.toString())).as(test.lastErr).isZero();
        assertThat(test.lastOut).startsWith("verified ");
    }

    /** A copy of the published home, its files writable, for one kind of tampering. */
    private TestHome copy(String name) throws IOException {
        Path target = directory.resolve(name);
        try (Stream<Path> files = Files.walk(original)) {
            for (Path file : files.toList()) {
                Path copied = target.resolve(original.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copied);
                } else {
                    Files.copy(file, copied, StandardCopyOption.COPY_ATTRIBUTES);
                    copied.toFile().setWritable(true);
                }
            }
        }
        return TestHome.uninitialised(target);
    }

    private static String verify(TestHome test) {
        assertThat(test.run("verify", "--period", "2026-10", "--home", test.home.root().toString())).as(test.lastOut).isEqualTo(1);
        assertThat(test.lastErr).startsWith("apportion: verification of ").doesNotContain("Exception");
        return test.lastErr;
    }

    @Test
    void verify_oneFlippedByteInTheFocusFile_namesTheFile() throws Exception {
        TestHome test = copy("flipped");
        Path focus = test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
        byte[] bytes = Files.readAllBytes(focus);
        bytes[bytes.length / 2] ^= 0x01;
        Files.write(focus, bytes);

        assertThat(verify(test)).contains("checksum differs for focus/cost-and-usage.parquet");
    }

    @Test
    void verify_oneBilledCostChangedAndTheFileRewritten_namesTheRowHashAndConservation() throws Exception {
        TestHome test = copy("rewritten");
        Path focus = test.home.close(OCTOBER, 1).resolve("focus/cost-and-usage.parquet");
        TestHome.execute("COPY (SELECT * REPLACE (CASE WHEN row_number() OVER (ORDER BY x_AllocationRowId) = 1 THEN BilledCost + 0.01 "
                + "ELSE BilledCost END AS BilledCost) FROM read_parquet('" + focus + "')) TO '" + focus + ".new' (FORMAT parquet)");
        Files.move(Path.of(focus + ".new"), focus, StandardCopyOption.REPLACE_EXISTING);

        assertThat(verify(test)).contains("checksum differs for focus/cost-and-usage.parquet")
                .contains("1 row(s) whose x_EvidenceHash does not match their content")
                .contains("conservation fails for anc_");
    }

    @Test
    void verify_usageRefsDeleted_namesTheMissingOutput() throws Exception {
        TestHome test = copy("deleted");
        Files.delete(test.home.close(OCTOBER, 1).resolve("evidence/usage-refs.parquet"));

        assertThat(verify(test)).contains("missing output evidence/usage-refs.parquet");
    }

    @Test
    void verify_manifestEdited_failsTheSignature() throws Exception {
        TestHome test = copy("edited");
        Path manifest = test.home.close(OCTOBER, 1).resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"status\" : \"final\"", "\"status\" : \"final \""));

        assertThat(verify(test)).contains("manifest.json.sig does not verify with the trusted public key");
    }

    @Test
    void verify_manifestResignedWithAnotherKey_failsTheSignature() throws Exception {
        TestHome test = copy("resigned");
        Path keys = directory.resolve("other-keys");
        Files.createDirectories(keys);
        EvidenceKeys.generate(keys.resolve("other.key"), keys.resolve("other.pub"));
        Path close = test.home.close(OCTOBER, 1);
        Path manifest = close.resolve("manifest.json");
        String edited = Files.readString(manifest).replace("\"status\" : \"final\"", "\"status\" : \"final \"");
        Files.writeString(manifest, edited);
        Files.write(close.resolve("manifest.json.sig"),
                ManifestSignature.sign(EvidenceKeys.readPrivateKey(keys.resolve("other.key")), edited.getBytes(StandardCharsets.UTF_8)));

        assertThat(verify(test)).contains("manifest.json.sig does not verify with the trusted public key");
        // Trusting the forger's key instead passes the signature check; the home's own key is what verify trusts.
        assertThat(test.run("verify", "--period", "2026-10", "--public-key", keys.resolve("other.pub").toString(),
                "--home", test.home.root().toString())).isZero();
    }
}
