package dev.apportion.focus;

import static java.util.Objects.requireNonNull;

import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;

/**
 * Ed25519 signatures over the bytes of {@code manifest.json}.
 *
 * <p>A signature is the raw 64-byte Ed25519 signature (RFC 8032) with no encoding around it;
 * {@code manifest.json.sig} holds exactly these bytes, so {@code openssl pkeyutl -verify -pubin -inkey
 * evidence-ed25519.pub -rawin -in manifest.json -sigfile manifest.json.sig} checks it.
 */
public final class ManifestSignature {
    /** Length in bytes of every Ed25519 signature. */
    public static final int SIGNATURE_LENGTH = 64;

    private static final String ALGORITHM = "Ed25519";

    private ManifestSignature() {}

    /**
     * Signs the manifest bytes. Ed25519 is deterministic: the same key and bytes give the same signature.
     *
     * @return the raw 64-byte signature
     * @throws IllegalArgumentException if the key is not an Ed25519 private key
     */
    public static byte[] sign(PrivateKey privateKey, byte[] manifestBytes) {
        requireNonNull(privateKey, "privateKey is null");
        requireNonNull(manifestBytes, "manifestBytes is null");
        try {
            Signature signature = newSignature();
            signature.initSign(privateKey);
            signature.update(manifestBytes);
            return signature.sign();
        }
        catch (InvalidKeyException e) {
            throw new IllegalArgumentException("Cannot sign manifest: " + privateKey.getAlgorithm()
                    + " key is not an Ed25519 private key", e);
        }
        catch (SignatureException e) {
            throw new IllegalStateException("Cannot sign manifest of " + manifestBytes.length + " bytes", e);
        }
    }

    /**
     * Checks a signature over the manifest bytes.
     *
     * @return {@code true} only if {@code signature} is a valid Ed25519 signature of exactly these bytes
     *     by the holder of {@code publicKey}; {@code false} for any other signature, including one that
     *     is not 64 bytes long
     * @throws IllegalArgumentException if the key is not an Ed25519 public key
     */
    public static boolean verify(PublicKey publicKey, byte[] manifestBytes, byte[] signature) {
        requireNonNull(publicKey, "publicKey is null");
        requireNonNull(manifestBytes, "manifestBytes is null");
        requireNonNull(signature, "signature is null");
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Signature verifier = newSignature();
            verifier.initVerify(publicKey);
            verifier.update(manifestBytes);
            return verifier.verify(signature);
        }
        catch (InvalidKeyException e) {
            throw new IllegalArgumentException("Cannot verify manifest signature: " + publicKey.getAlgorithm()
                    + " key is not an Ed25519 public key", e);
        }
        catch (SignatureException e) {
            // A malformed signature (for example a non-canonical scalar) is simply not a valid one.
            return false;
        }
    }

    private static Signature newSignature() {
        try {
            return Signature.getInstance(ALGORITHM);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no Ed25519 signature", e);
        }
    }
}
