package dev.braid.gateway.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

import dev.braid.instance.protocol.WireGuardKeys;

/**
 * The key settings of a site config: key files read (and judged) with the instance module's
 * {@link WireGuardKeys#readKeyFile} rules, and the peer's public key checked for the mistakes people
 * make when pasting keys between two machines — the example's placeholder left in, a truncated key,
 * our own key pasted instead of the other site's. Messages never contain private key material.
 */
final class KeySettings {
    private final SettingsReader in;

    KeySettings(SettingsReader in) {
        this.in = in;
    }

    /** Reads a private or preshared key file with the checks of {@link WireGuardKeys#readKeyFile}. */
    byte[] readKey(YamlNode.MapNode map, String key, Path file) {
        YamlNode node = in.value(map, key);
        try {
            return WireGuardKeys.readKeyFile(file);
        } catch (WireGuardKeys.KeyFileProblem e) {
            String todo = !Files.exists(file)
                    ? " (create it: umask 077; braid genkey > " + file + ")"
                    : Files.isRegularFile(file) && e.getMessage().contains("does not hold a key")
                    ? " (it must hold one line as printed by braid genkey or wg genkey)"
                    : "";
            in.error(node, e.getMessage() + todo);
        } catch (AccessDeniedException e) {
            in.error(node, "cannot read key file " + file + ": permission denied (run braid as the key's owner, usually root)");
        } catch (IOException e) {
            in.error(node, "cannot read key file " + file + ": " + e + " (check the path and the disk)");
        }
        return null;
    }

    WireGuardPublicKey peerPublicKey(YamlNode.MapNode peer, WireGuardPublicKey localPublicKey) {
        String text = in.text(peer, "public_key",
                "the other site's public key (on the other site run: braid pubkey < its private key file)");
        if (text == null) {
            return null;
        }
        YamlNode node = in.value(peer, "public_key");
        if (looksLikePlaceholder(text)) {
            in.error(node, "is still the placeholder '" + text + "' from the example config (on the other site run: braid pubkey < its private key file, "
                    + "and paste the 44-character output here in quotes)");
            return null;
        }
        WireGuardPublicKey key;
        try {
            key = new WireGuardPublicKey(text);
        } catch (IllegalArgumentException e) {
            in.error(node, "is not a WireGuard public key: " + e.getMessage() + " (paste the output of braid pubkey or wg pubkey run on the other site)");
            return null;
        }
        if (Arrays.equals(key.bytes(), new byte[WireGuardKeys.KEY_BYTES])) {
            in.error(node, "is all zeros, not a real key (paste the output of braid pubkey run on the other site)");
            return null;
        }
        if (key.equals(localPublicKey)) {
            in.error(node, "is this site's own public key (from private_key_file); put the OTHER site's public key here");
            return null;
        }
        return key;
    }

    static boolean looksLikePlaceholder(String text) {
        String upper = text.toUpperCase(Locale.ROOT);
        return text.startsWith("<") || upper.contains("PASTE") || upper.contains("REPLACE") || upper.contains("CHANGE")
                || upper.contains("PLACEHOLDER") || upper.contains("PUBLIC-KEY") || upper.contains("PUBLIC_KEY");
    }
}
