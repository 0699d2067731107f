package dev.apportion.focus;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * The Ed25519 key pair that signs a close's manifest ({@code keys/evidence-ed25519.key} and
 * {@code keys/evidence-ed25519.pub}).
 *
 * <p>Keys are stored as PEM the way OpenSSL writes them, so {@code openssl pkeyutl -verify -rawin}
 * can check a signature without Apportion: the private key as PKCS#8 ({@code BEGIN PRIVATE KEY}), the
 * public key as X.509 SubjectPublicKeyInfo ({@code BEGIN PUBLIC KEY}), base64 in lines of 64
 * characters, each line ended by {@code "\n"}.
 */
public final class EvidenceKeys {
    private static final String ALGORITHM = "Ed25519";
    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";
    private static final Base64.Encoder PEM_ENCODER =
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

    private static final Set<PosixFilePermission> PRIVATE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private EvidenceKeys() {}

    /**
     * Creates a fresh Ed25519 key pair and writes it to the two files, creating missing parent
     * directories.
     *
     * <p>Each file is written under a temporary name in its target directory, forced to disk and then
     * put in place in one step, so a reader never sees a partial key. On file systems with POSIX
     * permissions the private key file has mode {@code 0600} from the moment it is created (the
     * temporary file is created with that mode, and the final name is a link to it or a rename of it);
     * elsewhere the file system's default access control applies. An existing file is never replaced:
     * where the file system supports hard links the final name is created atomically with no window in
     * which a concurrently created file could be overwritten.
     *
     * @throws IllegalStateException if either file already exists (nothing is written then), or both
     *     paths name the same file
     * @throws UncheckedIOException if a file cannot be written; a private key written before the public
     *     key failed is removed again
     */
    public static void generate(Path privateKeyFile, Path publicKeyFile) {
        requireNonNull(privateKeyFile, "privateKeyFile is null");
        requireNonNull(publicKeyFile, "publicKeyFile is null");
        if (privateKeyFile.toAbsolutePath().normalize().equals(publicKeyFile.toAbsolutePath().normalize())) {
            throw new IllegalStateException("Cannot generate evidence keys: private and public key are both "
                    + privateKeyFile);
        }
        refuseExisting(privateKeyFile);
        refuseExisting(publicKeyFile);

        KeyPair pair = newKeyPairGenerator().generateKeyPair();
        byte[] privatePem = pem(PRIVATE_LABEL, pair.getPrivate().getEncoded());
        byte[] publicPem = pem(PUBLIC_LABEL, pair.getPublic().getEncoded());

        writeNew(privateKeyFile, privatePem, PRIVATE_MODE);
        try {
            writeNew(publicKeyFile, publicPem, PUBLIC_MODE);
        }
        catch (RuntimeException e) {
            // A private key without its public key cannot be used to verify anything; remove it so a
            // retry is not refused.
            try {
                Files.deleteIfExists(privateKeyFile);
            }
            catch (IOException deleteFailure) {
                e.addSuppressed(deleteFailure);
            }
            throw e;
        }
    }

    /**
     * Reads an Ed25519 private key from a PEM PKCS#8 file ({@code -----BEGIN PRIVATE KEY-----}), as
     * written by {@link #generate} or {@code openssl genpkey -algorithm ed25519}.
     *
     * @throws IllegalArgumentException if the file is not a PEM PKCS#8 Ed25519 private key
     * @throws UncheckedIOException if the file cannot be read
     */
    public static PrivateKey readPrivateKey(Path file) {
        requireNonNull(file, "file is null");
        byte[] der = readPem(file, PRIVATE_LABEL, "private");
        try {
            return keyFactory().generatePrivate(new PKCS8EncodedKeySpec(der));
        }
        catch (GeneralSecurityException e) {
            throw notAKey(file, "private", "the PKCS#8 content is not an Ed25519 private key (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Reads an Ed25519 public key from a PEM X.509 SubjectPublicKeyInfo file
     * ({@code -----BEGIN PUBLIC KEY-----}), as written by {@link #generate} or {@code openssl pkey -pubout}.
     *
     * @throws IllegalArgumentException if the file is not a PEM Ed25519 public key
     * @throws UncheckedIOException if the file cannot be read
     */
    public static PublicKey readPublicKey(Path file) {
        requireNonNull(file, "file is null");
        byte[] der = readPem(file, PUBLIC_LABEL, "public");
        try {
            return keyFactory().generatePublic(new X509EncodedKeySpec(der));
        }
        catch (GeneralSecurityException e) {
            throw notAKey(file, "public", "the SubjectPublicKeyInfo is not an Ed25519 public key (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The PEM text of a public key, exactly as {@link #generate} writes it to the public key file
     * (the form the manifest's {@code publicKey} field carries).
     *
     * @throws IllegalArgumentException if the key is not an Ed25519 key
     */
    public static String publicKeyPem(PublicKey publicKey) {
        requireNonNull(publicKey, "publicKey is null");
        String algorithm = publicKey.getAlgorithm();
        if (!ALGORITHM.equals(algorithm) && !"EdDSA".equals(algorithm)) {
            throw new IllegalArgumentException("Cannot write public key PEM: algorithm is " + algorithm
                    + ", expected Ed25519");
        }
        byte[] der = publicKey.getEncoded();
        try {
            // Rejects Ed448 and other EdDSA curves, and checks the encoding round-trips.
            keyFactory().generatePublic(new X509EncodedKeySpec(der));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("Cannot write public key PEM: not an Ed25519 key (" + e.getMessage() + ")", e);
        }
        return new String(pem(PUBLIC_LABEL, der), StandardCharsets.US_ASCII);
    }

    static byte[] pem(String label, byte[] der) {
        String body = PEM_ENCODER.encodeToString(der);
        String text = "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] readPem(Path file, String label, String kind) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
        }
        catch (NoSuchFileException e) {
            throw new UncheckedIOException("Cannot read evidence " + kind + " key " + file + ": file does not exist", e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot read evidence " + kind + " key " + file, e);
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int beginAt = text.indexOf(begin);
        if (beginAt < 0) {
            throw notAKey(file, kind, "no '" + begin + "' line", null);
        }
        int endAt = text.indexOf(end, beginAt + begin.length());
        if (endAt < 0) {
            throw notAKey(file, kind, "no '" + end + "' line", null);
        }
        String body = text.substring(beginAt + begin.length(), endAt).replaceAll("[\\r\\n\\t ]", "");
        if (body.isEmpty()) {
            throw notAKey(file, kind, "the PEM block is empty", null);
        }
        try {
            return Base64.getDecoder().decode(body);
        }
        catch (IllegalArgumentException e) {
            throw notAKey(file, kind, "the PEM block is not valid base64 (" + e.getMessage() + ")", e);
        }
    }

    private static IllegalArgumentException notAKey(Path file, String kind, String problem, Exception cause) {
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "File %s is not a PEM Ed25519 %s key: %s", file, kind, problem), cause);
    }

    private static void refuseExisting(Path file) {
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("Cannot generate evidence keys: " + file
                    + " already exists; refusing to overwrite it");
        }
    }

    /**
     * Writes {@code content} to a new file at {@code target}: temporary file with its final mode,
     * forced to disk, then linked (or, without hard-link support, atomically renamed) into place.
     */
    private static void writeNew(Path target, byte[] content, Set<PosixFilePermission> mode) {
        Path absolute = target.toAbsolutePath();
        Path directory = absolute.getParent();
        try {
            Files.createDirectories(directory);
            boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
            FileAttribute<?>[] attributes = posix
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(mode)}
                    : new FileAttribute<?>[0];
            Path temporary = Files.createTempFile(directory, "." + absolute.getFileName() + ".", ".tmp", attributes);
            try {
                try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(content);
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                moveIntoPlace(temporary, absolute);
            }
            finally {
                Files.deleteIfExists(temporary);
            }
            if (posix) {
                forceDirectory(directory);
            }
        }
        catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("Cannot generate evidence keys: " + target
                    + " already exists; refusing to overwrite it", e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot write evidence key " + target, e);
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            // link(2) fails if the target exists, so no file created meanwhile is ever replaced.
            Files.createLink(target, temporary);
            return;
        }
        catch (FileAlreadyExistsException e) {
            throw e;
        }
        catch (UnsupportedOperationException | FileSystemException e) {
            // No hard links here (FAT, some network file systems): fall back to a rename, which on
            // POSIX replaces silently, so check first and accept the small window.
        }
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new FileAlreadyExistsException(target.toString());
        }
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Makes the new directory entry durable; the file's own bytes were forced before it was linked. */
    private static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static KeyPairGenerator newKeyPairGenerator() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no Ed25519 key pair generator", e);
        }
    }

    private static KeyFactory keyFactory() {
        try {
            return KeyFactory.getInstance(ALGORITHM);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no Ed25519 key factory", e);
        }
    }
}
