package dev.apportion.focus;

import static java.util.Objects.requireNonNull;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The Merkle root of a close's row hashes (the manifest's {@code merkleRoot}, over {@code x_EvidenceHash}
 * in {@code x_AllocationRowId} order).
 *
 * <p>The tree is built level by level. Leaves are the 32-byte values of the given SHA-256 hashes, in
 * the given order. Each parent is SHA-256 of its left child's 32 bytes followed by its right child's
 * 32 bytes; when a level has an odd number of nodes, the last one is carried up to the next level
 * unchanged (not duplicated, not rehashed). The root of one leaf is that leaf; the root of no leaves
 * is SHA-256 of the empty input.
 */
public final class MerkleRoot {
    private static final int HASH_LENGTH = 32;
    private static final int HEX_LENGTH = 2 * HASH_LENGTH;
    private static final HexFormat HEX = HexFormat.of();

    private MerkleRoot() {}

    /**
     * Computes the Merkle root of the leaf hashes.
     *
     * <p>Uses 32 bytes of working memory per leaf (one array, reduced in place), so millions of leaves
     * are fine.
     *
     * @param leafHashesHex SHA-256 hashes as 64 lowercase hex digits each, in leaf order
     * @return the root as 64 lowercase hex digits
     * @throws NullPointerException if the list is null
     * @throws IllegalArgumentException if a leaf is null or not 64 lowercase hex digits; the message
     *     names the first such leaf's index
     */
    public static String of(List<String> leafHashesHex) {
        requireNonNull(leafHashesHex, "leafHashesHex is null");
        MessageDigest sha256 = sha256();
        int count = leafHashesHex.size();
        if (count == 0) {
            return HEX.formatHex(sha256.digest());
        }
        if ((long) count * HASH_LENGTH > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "Cannot compute Merkle root of %d leaves: more than %d are not supported",
                    count, (Integer.MAX_VALUE - 8) / HASH_LENGTH));
        }
        byte[] nodes = new byte[count * HASH_LENGTH];
        int index = 0;
        for (String leaf : leafHashesHex) {
            decodeLeaf(leaf, index, nodes);
            index++;
        }
        // Parent i of a level is written at slot i; its children sit at slots 2i and 2i+1, which are
        // read before the write and never needed again, so one array serves every level.
        for (int width = count; width > 1; width = (width + 1) / 2) {
            int parents = width / 2;
            for (int parent = 0; parent < parents; parent++) {
                sha256.update(nodes, 2 * parent * HASH_LENGTH, 2 * HASH_LENGTH);
                digestInto(sha256, nodes, parent * HASH_LENGTH);
            }
            if (width % 2 == 1) {
                System.arraycopy(nodes, (width - 1) * HASH_LENGTH, nodes, parents * HASH_LENGTH, HASH_LENGTH);
            }
        }
        return HEX.formatHex(nodes, 0, HASH_LENGTH);
    }

    private static void decodeLeaf(String leaf, int index, byte[] nodes) {
        if (leaf == null) {
            throw new IllegalArgumentException("Invalid Merkle leaf at index " + index + ": null");
        }
        if (leaf.length() != HEX_LENGTH) {
            throw invalidLeaf(index, leaf, "expected 64 lowercase hex digits but found " + leaf.length()
                    + " characters");
        }
        int offset = index * HASH_LENGTH;
        for (int i = 0; i < HASH_LENGTH; i++) {
            int high = lowercaseHexDigit(leaf.charAt(2 * i));
            int low = lowercaseHexDigit(leaf.charAt(2 * i + 1));
            if (high < 0 || low < 0) {
                throw invalidLeaf(index, leaf, "expected 64 lowercase hex digits (0-9, a-f)");
            }
            nodes[offset + i] = (byte) ((high << 4) | low);
        }
    }

    private static int lowercaseHexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    }

    private static IllegalArgumentException invalidLeaf(int index, String leaf, String problem) {
        // Show a bounded prefix: a leaf of the wrong kind could be arbitrarily long.
        String shown = leaf.length() <= 80 ? leaf : leaf.substring(0, 80) + "...";
        return new IllegalArgumentException(String.format(Locale.ROOT,
                "Invalid Merkle leaf at index %d: %s (%s)", index, shown, problem));
    }

    private static void digestInto(MessageDigest sha256, byte[] target, int offset) {
        try {
            sha256.digest(target, offset, HASH_LENGTH);
        }
        catch (DigestException e) {
            throw new IllegalStateException("SHA-256 digest does not fit " + HASH_LENGTH + " bytes", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("This JDK has no SHA-256", e);
        }
    }
}
