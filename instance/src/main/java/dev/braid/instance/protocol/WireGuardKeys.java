package dev.braid.instance.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * Curve25519 keys in WireGuard's text form: 32 bytes, standard base64 with padding (44 characters),
 * so that `braid genkey` / `braid pubkey` and `wg genkey` / `wg pubkey` read each other's output.
 * Private keys are clamped on generation exactly as `wg genkey` does; X25519 clamps again on use.
 */
public final class WireGuardKeys {
    public static final int KEY_BYTES = 32;
    private static final int TEXT_CHARS = 44;

    private WireGuardKeys() {
    }

    /** A fresh clamped private key, as `wg genkey` makes it. */
    public static byte[] generatePrivate(SecureRandom random) {
        byte[] key = new byte[KEY_BYTES];
        random.nextBytes(key);
        clamp(key);
        return key;
    }

    public static void clamp(byte[] key) {
        key[0] &= (byte) 248;
        key[31] &= 127;
        key[31] |= 64;
    }

    public static byte[] publicFromPrivate(byte[] privateKey) {
        byte[] pub = new byte[KEY_BYTES];
        X25519.scalarMultBase(privateKey, 0, pub, 0);
        return pub;
    }

    public static String toBase64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }

    /**
     * Decodes a key in wg's text form. Surrounding whitespace (a trailing newline from a file or a
     * pipe) is ignored; anything else that is not exactly 44 base64 characters for 32 bytes is refused
     * with a message that says what was wrong, never with the key material itself.
     */
    public static byte[] fromBase64(String text) {
        String trimmed = text.strip();
        if (trimmed.length() != TEXT_CHARS || trimmed.charAt(TEXT_CHARS - 1) != '=') {
            throw new InvalidKeyText("a key is 44 base64 characters ending in '=', got " + trimmed.length() + " characters");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyText("not valid base64: " + e.getMessage());
        }
        if (key.length != KEY_BYTES) {
            throw new InvalidKeyText("decodes to " + key.length + " bytes, a key is 32");
        }
        return key;
    }

    /**
     * Reads a private (or preshared) key file. A file that group or others can read or write is
     * refused: a leaked site key lets anyone impersonate the site, and wg itself warns about it.
     */
    public static byte[] readKeyFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new KeyFileProblem(file, Files.exists(file) ? "is not a regular file" : "does not exist");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> loose = EnumSet.copyOf(perms);
        loose.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
                PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE));
        if (!loose.isEmpty()) {
            throw new KeyFileProblem(file, "is accessible by group or others (mode "
                    + java.nio.file.attribute.PosixFilePermissions.toString(perms)
                    + "); run: chmod 600 " + file);
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        try {
            return fromBase64(text);
        } catch (InvalidKeyText e) {
            throw new KeyFileProblem(file, "does not hold a key: " + e.getMessage());
        }
    }

    /** Writes a key file readable by its owner only; the mode is set before the key is written. */
    public static void writeKeyFile(Path file, byte[] key) throws IOException {
        Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        if (!Files.exists(file)) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(ownerOnly));
        }
        Files.setPosixFilePermissions(file, ownerOnly);
        Files.writeString(file, toBase64(key) + "\n", StandardCharsets.US_ASCII);
    }

    /** A key in text form that is not a key. */
    public static final class InvalidKeyText extends IllegalArgumentException {
        InvalidKeyText(String message) {
            super(message);
        }
    }

    /** A key file that is missing, unsafe, or does not hold a key. */
    public static final class KeyFileProblem extends IOException {
        private final Path file;

        KeyFileProblem(Path file, String problem) {
            super("key file " + file + " " + problem);
            this.file = file;
        }

        public Path file() {
            return file;
        }
    }
}
