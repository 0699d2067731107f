package dev.apportion.focus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class MerkleRootTest {
    private static final HexFormat HEX = HexFormat.of();

    /** SHA-256 of the concatenated inputs, straight from MessageDigest. */
    private static byte[] sha256(byte[]... parts) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (byte[] part : parts) {
            digest.update(part);
        }
        return digest.digest();
    }

    private static byte[] leaf(int number) throws Exception {
        return sha256(("row " + number).getBytes(UTF_8));
    }

    private static List<String> hex(byte[]... leaves) {
        return Arrays.stream(leaves).map(HEX::formatHex).toList();
    }

    @Test
    void of_noLeaves_isHashOfEmptyInput() {
        assertThat(MerkleRoot.of(List.of()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void of_oneLeaf_isThatLeaf() throws Exception {
        byte[] a = leaf(1);

        assertThat(MerkleRoot.of(hex(a))).isEqualTo(HEX.formatHex(a));
    }

    @Test
    void of_twoLeaves_hashesTheirBytes() throws Exception {
        byte[] a = leaf(1);
        byte[] b = leaf(2);

        assertThat(MerkleRoot.of(hex(a, b))).isEqualTo(HEX.formatHex(sha256(a, b)));
        // Order matters.
        assertThat(MerkleRoot.of(hex(b, a))).isEqualTo(HEX.formatHex(sha256(b, a)));
    }

    @Test
    void of_threeLeaves_carriesTheOddLeafUp() throws Exception {
        byte[] a = leaf(1);
        byte[] b = leaf(2);
        byte[] c = leaf(3);

        assertThat(MerkleRoot.of(hex(a, b, c))).isEqualTo(HEX.formatHex(sha256(sha256(a, b), c)));
    }

    @Test
    void of_fourLeaves_isBalanced() throws Exception {
        byte[] a = leaf(1);
        byte[] b = leaf(2);
        byte[] c = leaf(3);
        byte[] d = leaf(4);

        assertThat(MerkleRoot.of(hex(a, b, c, d))).isEqualTo(HEX.formatHex(sha256(sha256(a, b), sha256(c, d))));
    }

    @Test
    void of_fiveAndSevenLeaves_carryAcrossLevels() throws Exception {
        byte[] a = leaf(1);
        byte[] b = leaf(2);
        byte[] c = leaf(3);
        byte[] d = leaf(4);
        byte[] e = leaf(5);
        byte[] f = leaf(6);
        byte[] g = leaf(7);

        assertThat(MerkleRoot.of(hex(a, b, c, d, e)))
                .isEqualTo(HEX.formatHex(sha256(sha256(sha256(a, b), sha256(c, d)), e)));
        assertThat(MerkleRoot.of(hex(a, b, c, d, e, f, g)))
                .isEqualTo(HEX.formatHex(sha256(sha256(sha256(a, b), sha256(c, d)), sha256(sha256(e, f), g))));
    }

    @Test
    void of_manySizes_matchesRecursiveDefinition() throws Exception {
        List<byte[]> leaves = new ArrayList<>();
        for (int count = 1; count <= 70; count++) {
            leaves.add(leaf(count));
            byte[][] array = leaves.toArray(byte[][]::new);
            assertThat(MerkleRoot.of(hex(array))).as("%d leaves", count).isEqualTo(HEX.formatHex(levelByLevel(array)));
        }
    }

    @Test
    void of_millionLeaves_completes() throws Exception {
        int count = 1 << 20;
        List<String> leaves = new ArrayList<>(count + 1);
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i <= count; i++) {
            leaves.add(HEX.formatHex(digest.digest(Integer.toString(i).getBytes(UTF_8))));
        }
        // 2^20 + 1 leaves: the balanced tree over the first 2^20, then the last leaf carried up every level.
        String firstPower = MerkleRoot.of(leaves.subList(0, count));
        String root = MerkleRoot.of(leaves);

        assertThat(root).isEqualTo(HEX.formatHex(sha256(HEX.parseHex(firstPower), HEX.parseHex(leaves.get(count)))));
    }

    @Test
    void of_uppercaseLeaf_rejectedNamingIndex() throws Exception {
        List<String> leaves = new ArrayList<>(hex(leaf(1), leaf(2)));
        leaves.add(HEX.formatHex(leaf(3)).toUpperCase(Locale.ROOT));

        assertThatThrownBy(() -> MerkleRoot.of(leaves))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 2")
                .hasMessageContaining(leaves.get(2));
    }

    @Test
    void of_shortLeaf_rejectedNamingIndex() throws Exception {
        List<String> leaves = List.of(HEX.formatHex(leaf(1)), "abc123");

        assertThatThrownBy(() -> MerkleRoot.of(leaves))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 1")
                .hasMessageContaining("abc123");
    }

    @Test
    void of_nonHexLeaf_rejectedNamingIndex() throws Exception {
        String notHex = "g" + HEX.formatHex(leaf(1)).substring(1);

        assertThatThrownBy(() -> MerkleRoot.of(List.of(notHex)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 0");
    }

    @Test
    void of_nullLeaf_rejectedNamingIndex() throws Exception {
        List<String> leaves = new ArrayList<>(hex(leaf(1)));
        leaves.add(null);

        assertThatThrownBy(() -> MerkleRoot.of(leaves))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 1");
    }

    /** A second, allocation-heavy implementation: one new list per level. */
    private static byte[] levelByLevel(byte[][] leaves) throws Exception {
        List<byte[]> level = new ArrayList<>(Arrays.asList(leaves));
        while (level.size() > 1) {
            List<byte[]> next = new ArrayList<>();
            for (int i = 0; i + 1 < level.size(); i += 2) {
                next.add(sha256(level.get(i), level.get(i + 1)));
            }
            if (level.size() % 2 == 1) {
                next.add(level.get(level.size() - 1));
            }
            level = next;
        }
        return level.get(0);
    }
}
