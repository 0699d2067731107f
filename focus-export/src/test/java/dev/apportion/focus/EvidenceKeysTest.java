package dev.apportion.focus;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvidenceKeysTest {
    @TempDir
    Path directory;

    private Path privateKeyFile() {
        return directory.resolve("keys").resolve("evidence-ed25519.key");
    }

    private Path publicKeyFile() {
        return directory.resolve("keys").resolve("evidence-ed25519.pub");
    }

    @Test
    void generate_keysReadBackEqual() {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());

        PrivateKey privateKey = EvidenceKeys.readPrivateKey(privateKeyFile());
        PublicKey publicKey = EvidenceKeys.readPublicKey(publicKeyFile());
        PrivateKey privateAgain = EvidenceKeys.readPrivateKey(privateKeyFile());
        PublicKey publicAgain = EvidenceKeys.readPublicKey(publicKeyFile());

        assertThat(privateAgain).isEqualTo(privateKey);
        assertThat(publicAgain).isEqualTo(publicKey);
        assertThat(privateKey.getEncoded()).isEqualTo(privateAgain.getEncoded());
        // The two files are one pair: what the private key signs, the public key verifies.
        byte[] manifest = "{\"period\":\"2026-10\"}".getBytes(US_ASCII);
        assertThat(ManifestSignature.verify(publicKey, manifest, ManifestSignature.sign(privateKey, manifest))).isTrue();
    }

    @Test
    void generate_freshPairEachTime() {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());
        Path otherPrivate = directory.resolve("other.key");
        Path otherPublic = directory.resolve("other.pub");
        EvidenceKeys.generate(otherPrivate, otherPublic);

        assertThat(EvidenceKeys.readPublicKey(otherPublic)).isNotEqualTo(EvidenceKeys.readPublicKey(publicKeyFile()));
    }

    @Test
    void generate_writesOpenSslStylePem() throws IOException {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());

        assertPem(Files.readString(privateKeyFile(), US_ASCII), "PRIVATE KEY");
        assertPem(Files.readString(publicKeyFile(), US_ASCII), "PUBLIC KEY");
        // SubjectPublicKeyInfo of Ed25519: algorithm OID 1.3.101.112 and the 32-byte key (RFC 8410).
        byte[] der = derOf(Files.readString(publicKeyFile(), US_ASCII));
        assertThat(HexFormat.of().formatHex(der, 0, 12)).isEqualTo("302a300506032b6570032100");
        assertThat(der).hasSize(44);
        // PKCS#8 of Ed25519 names the same OID.
        byte[] privateDer = derOf(Files.readString(privateKeyFile(), US_ASCII));
        assertThat(HexFormat.of().formatHex(privateDer)).contains("06032b6570");
    }

    @Test
    void generate_privateKeyFileHasMode0600() throws IOException {
        assumeTrue(directory.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX file system");
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(privateKeyFile()))).isEqualTo("rw-------");
        assertThat(Files.getPosixFilePermissions(publicKeyFile()))
                .doesNotContain(PosixFilePermission.GROUP_WRITE,
                        PosixFilePermission.OTHERS_WRITE);
    }

    @Test
    void generate_leavesNoTemporaryFiles() throws IOException {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());

        try (Stream<Path> files = Files.list(privateKeyFile().getParent())) {
            assertThat(files.map(path -> path.getFileName().toString()))
                    .containsExactlyInAnyOrder("evidence-ed25519.key", "evidence-ed25519.pub");
        }
    }

    @Test
    void generate_existingPrivateKey_refusesAndWritesNothing() throws IOException {
        Files.createDirectories(privateKeyFile().getParent());
        Files.writeString(privateKeyFile(), "keep me", US_ASCII);

        assertThatThrownBy(() -> EvidenceKeys.generate(privateKeyFile(), publicKeyFile()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(privateKeyFile().toString());
        assertThat(Files.readString(privateKeyFile(), US_ASCII)).isEqualTo("keep me");
        assertThat(publicKeyFile()).doesNotExist();
    }

    @Test
    void generate_existingPublicKey_refusesAndWritesNothing() throws IOException {
        Files.createDirectories(publicKeyFile().getParent());
        Files.writeString(publicKeyFile(), "keep me", US_ASCII);

        assertThatThrownBy(() -> EvidenceKeys.generate(privateKeyFile(), publicKeyFile()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(publicKeyFile().toString());
        assertThat(Files.readString(publicKeyFile(), US_ASCII)).isEqualTo("keep me");
        assertThat(privateKeyFile()).doesNotExist();
    }

    @Test
    void generate_secondTime_refuses() throws IOException {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());
        byte[] before = Files.readAllBytes(privateKeyFile());

        assertThatThrownBy(() -> EvidenceKeys.generate(privateKeyFile(), publicKeyFile()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(privateKeyFile().toString());
        assertThat(Files.readAllBytes(privateKeyFile())).isEqualTo(before);
    }

    @Test
    void generate_samePathForBoth_refuses() {
        assertThatThrownBy(() -> EvidenceKeys.generate(privateKeyFile(), privateKeyFile()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(privateKeyFile().toString());
        assertThat(privateKeyFile()).doesNotExist();
    }

    @Test
    void publicKeyPem_equalsThePublicKeyFile() throws IOException {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());

        assertThat(EvidenceKeys.publicKeyPem(EvidenceKeys.readPublicKey(publicKeyFile())))
                .isEqualTo(Files.readString(publicKeyFile(), US_ASCII));
    }

    @Test
    void publicKeyPem_rsaKey_rejected() throws Exception {
        PublicKey rsa = KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(derOf(resource("openssl-rsa.pub"))));

        assertThatThrownBy(() -> EvidenceKeys.publicKeyPem(rsa))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RSA");
    }

    @Test
    void readKeys_openSslGenerated_signaturesInteroperate() throws IOException {
        Path privateFile = copyResource("openssl-ed25519.key");
        Path publicFile = copyResource("openssl-ed25519.pub");
        byte[] message = resourceBytes("openssl-message.txt");
        byte[] opensslSignature = resourceBytes("openssl-message.txt.sig");

        PrivateKey privateKey = EvidenceKeys.readPrivateKey(privateFile);
        PublicKey publicKey = EvidenceKeys.readPublicKey(publicFile);

        // openssl pkeyutl -sign -rawin made this signature; Ed25519 is deterministic, so ours is identical.
        assertThat(ManifestSignature.verify(publicKey, message, opensslSignature)).isTrue();
        assertThat(ManifestSignature.sign(privateKey, message)).isEqualTo(opensslSignature);
        assertThat(EvidenceKeys.publicKeyPem(publicKey)).isEqualTo(resource("openssl-ed25519.pub"));
    }

    @Test
    void readPrivateKey_notPem_rejectedNamingFile() throws IOException {
        Path file = directory.resolve("garbage.key");
        Files.writeString(file, "not a key\n", US_ASCII);

        assertThatThrownBy(() -> EvidenceKeys.readPrivateKey(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("BEGIN PRIVATE KEY");
    }

    @Test
    void readPrivateKey_badBase64_rejectedNamingFile() throws IOException {
        Path file = directory.resolve("broken.key");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n", US_ASCII);

        assertThatThrownBy(() -> EvidenceKeys.readPrivateKey(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("base64");
    }

    @Test
    void readPrivateKey_ed448Key_rejectedNamingFile() throws IOException {
        Path file = copyResource("openssl-ed448.key");

        assertThatThrownBy(() -> EvidenceKeys.readPrivateKey(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("Ed25519");
    }

    @Test
    void readPrivateKey_publicKeyFile_rejectedNamingFile() throws IOException {
        EvidenceKeys.generate(privateKeyFile(), publicKeyFile());

        assertThatThrownBy(() -> EvidenceKeys.readPrivateKey(publicKeyFile()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(publicKeyFile().toString());
    }

    @Test
    void readPublicKey_rsaKey_rejectedNamingFile() throws IOException {
        Path file = copyResource("openssl-rsa.pub");

        assertThatThrownBy(() -> EvidenceKeys.readPublicKey(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("Ed25519");
    }

    @Test
    void readPublicKey_missingFile_namesFile() {
        Path file = directory.resolve("absent.pub");

        assertThatThrownBy(() -> EvidenceKeys.readPublicKey(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(file.toString());
    }

    private static void assertPem(String text, String label) {
        List<String> lines = text.lines().toList();
        assertThat(text).endsWith("\n").doesNotContain("\r");
        assertThat(lines.get(0)).isEqualTo("-----BEGIN " + label + "-----");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("-----END " + label + "-----");
        List<String> body = lines.subList(1, lines.size() - 1);
        assertThat(body).isNotEmpty().allSatisfy(line -> assertThat(line).matches("[A-Za-z0-9+/=]{1,64}"));
        assertThat(body.subList(0, body.size() - 1)).allSatisfy(line -> assertThat(line).hasSize(64));
    }

    private static byte[] derOf(String pem) {
        String body = pem.lines().filter(line -> !line.startsWith("-----")).reduce("", String::concat);
        return Base64.getDecoder().decode(body);
    }

    private Path copyResource(String name) throws IOException {
        Path target = directory.resolve(name);
        Files.write(target, resourceBytes(name));
        return target;
    }

    private static String resource(String name) throws IOException {
        return new String(resourceBytes(name), US_ASCII);
    }

    private static byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = EvidenceKeysTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
