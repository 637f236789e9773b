package dev.braid.gateway.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;

import dev.braid.instance.protocol.WireGuardKeys;

/**
 * A fresh private key for one end of a lab (site lab, wireguard-go pair, config tests), written as a
 * key file the way `braid genkey` writes one, and the public key the other end is configured with.
 */
public record LabKey(Path file, String publicKey) {

    public static LabKey create(Path file, SecureRandom random) throws IOException {
        byte[] privateKey = WireGuardKeys.generatePrivate(random);
        WireGuardKeys.writeKeyFile(file, privateKey);
        return new LabKey(file, WireGuardKeys.toBase64(WireGuardKeys.publicFromPrivate(privateKey)));
    }
}
