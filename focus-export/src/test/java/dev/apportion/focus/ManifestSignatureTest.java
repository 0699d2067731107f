package dev.apportion.focus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ManifestSignatureTest {
    private static final byte[] MANIFEST = "{\"focusVersion\":\"1.4\",\"period\":\"2026-10\",\"status\":\"final\"}\n"
            .getBytes(UTF_8);

    private static KeyPair newPair() throws Exception {
        return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    @Test
    void sign_verify_roundTrip() throws Exception {
        KeyPair pair = newPair();

        byte[] signature = ManifestSignature.sign(pair.getPrivate(), MANIFEST);

        assertThat(signature).hasSize(ManifestSignature.SIGNATURE_LENGTH).hasSize(64);
        assertThat(ManifestSignature.verify(pair.getPublic(), MANIFEST, signature)).isTrue();
    }

    @Test
    void sign_isDeterministic() throws Exception {
        KeyPair pair = newPair();

        assertThat(ManifestSignature.sign(pair.getPrivate(), MANIFEST))
                .isEqualTo(ManifestSignature.sign(pair.getPrivate(), MANIFEST));
    }

    @Test
    void verify_flippedManifestByte_fails() throws Exception {
        KeyPair pair = newPair();
        byte[] signature = ManifestSignature.sign(pair.getPrivate(), MANIFEST);

        for (int index : new int[] {0, MANIFEST.length / 2, MANIFEST.length - 1}) {
            byte[] tampered = MANIFEST.clone();
            tampered[index] ^= 0x01;
            assertThat(ManifestSignature.verify(pair.getPublic(), tampered, signature)).as("flipped byte %d", index).isFalse();
        }
    }

    @Test
    void verify_flippedSignatureByte_fails() throws Exception {
        KeyPair pair = newPair();
        byte[] signature = ManifestSignature.sign(pair.getPrivate(), MANIFEST);

        for (int index = 0; index < signature.length; index++) {
            byte[] tampered = signature.clone();
            tampered[index] ^= (byte) 0x80;
            assertThat(ManifestSignature.verify(pair.getPublic(), MANIFEST, tampered)).as("flipped byte %d", index).isFalse();
        }
    }

    @Test
    void verify_otherKey_fails() throws Exception {
        byte[] signature = ManifestSignature.sign(newPair().getPrivate(), MANIFEST);

        assertThat(ManifestSignature.verify(newPair().getPublic(), MANIFEST, signature)).isFalse();
    }

    @Test
    void verify_wrongLength_fails() throws Exception {
        KeyPair pair = newPair();
        byte[] signature = ManifestSignature.sign(pair.getPrivate(), MANIFEST);

        assertThat(ManifestSignature.verify(pair.getPublic(), MANIFEST, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(ManifestSignature.verify(pair.getPublic(), MANIFEST, Arrays.copyOf(signature, 65))).isFalse();
        assertThat(ManifestSignature.verify(pair.getPublic(), MANIFEST, new byte[0])).isFalse();
    }

    @Test
    void sign_rfc8032TestVector2() throws Exception {
        // RFC 8032 §7.1, TEST 2: a second implementation's answer for a known key and message.
        HexFormat hex = HexFormat.of();
        PrivateKey privateKey = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(hex.parseHex(
                "302e020100300506032b657004220420" + "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb")));
        PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(hex.parseHex(
                "302a300506032b6570032100" + "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")));
        byte[] message = hex.parseHex("72");
        String expected = "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00";

        assertThat(hex.formatHex(ManifestSignature.sign(privateKey, message))).isEqualTo(expected);
        assertThat(ManifestSignature.verify(publicKey, message, hex.parseHex(expected))).isTrue();
    }

    @Test
    void sign_rsaKey_rejected() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        PrivateKey rsa = generator.generateKeyPair().getPrivate();

        assertThatThrownBy(() -> ManifestSignature.sign(rsa, MANIFEST))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RSA");
    }
}
