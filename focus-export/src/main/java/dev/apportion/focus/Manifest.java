package dev.apportion.focus;

import dev.apportion.ledger.AtomicFiles;
import dev.apportion.ledger.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.SerializationFeature;

/**
 * {@code manifest.json} of a close (DESIGN §9, contract) and its Ed25519 signature
 * {@code manifest.json.sig}: checksums of every other file of the close, totals, the content digest and
 * the Merkle root.
 */
public final class Manifest {
    public static final String FILE = "manifest.json";
    public static final String SIGNATURE_FILE = "manifest.json.sig";
    static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Manifest() {
    }

    /** A new manifest with the given top-level fields in contract order. */
    public static ObjectNode create() {
        return JSON.createObjectNode();
    }

    public static ArrayNode array() {
        return JSON.createArrayNode();
    }

    /**
     * Adds {@code outputs} (path, sha256, rows) for every file under {@code closeDirectory} and writes the
     * manifest and its signature there.
     *
     * @param rowCounts rows of the tabular outputs by relative path; files not in the map get no count
     */
    public static void seal(Path closeDirectory, ObjectNode manifest, Map<String, Long> rowCounts, PrivateKey key) {
        ArrayNode outputs = manifest.putArray("outputs");
        for (Path file : files(closeDirectory)) {
            String relative = closeDirectory.relativize(file).toString().replace('\\', '/');
            ObjectNode output = outputs.addObject();
            output.put("path", relative);
            output.put("sha256", Sha256.ofFile(file));
            Long rows = rowCounts.get(relative);
            if (rows != null) {
                output.put("rows", rows);
            }
        }
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        AtomicFiles.write(closeDirectory.resolve(FILE), bytes);
        AtomicFiles.write(closeDirectory.resolve(SIGNATURE_FILE), ManifestSignature.sign(key, bytes));
    }

    static List<Path> files(Path closeDirectory) {
        try (Stream<Path> walk = Files.walk(closeDirectory)) {
            List<Path> files = new ArrayList<>();
            walk.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith(FILE))
                    .filter(file -> !file.getFileName().toString().startsWith(AtomicFiles.TEMPORARY_PREFIX))
                    .sorted()
                    .forEach(files::add);
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + closeDirectory + ": " + e.getMessage(), e);
        }
    }
}
