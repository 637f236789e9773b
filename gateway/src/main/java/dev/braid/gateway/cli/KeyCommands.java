package dev.braid.gateway.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;

import dev.braid.instance.protocol.WireGuardKeys;

/** `braid genkey` and `braid pubkey`: the same text in and out as `wg genkey` and `wg pubkey`. */
final class KeyCommands {
    private KeyCommands() {
    }

    static final class Genkey implements CliCommand {
        @Override
        public String name() {
            return "genkey";
        }

        @Override
        public String summary() {
            return "print a new private key (base64, as `wg genkey`)";
        }

        @Override
        public int run(List<String> args, PrintStream out, PrintStream err) {
            if (!args.isEmpty()) {
                err.println("usage: braid genkey   (writes the key to stdout; redirect it to a file with umask 077)");
                return USAGE;
            }
            out.println(WireGuardKeys.toBase64(WireGuardKeys.generatePrivate(new SecureRandom())));
            return OK;
        }
    }

    static final class Pubkey implements CliCommand {
        @Override
        public String name() {
            return "pubkey";
        }

        @Override
        public String summary() {
            return "read a private key on stdin, print its public key (as `wg pubkey`)";
        }

        @Override
        public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
            if (!args.isEmpty()) {
                err.println("usage: braid pubkey < private.key");
                return USAGE;
            }
            String text = new String(System.in.readNBytes(4096), StandardCharsets.US_ASCII);
            byte[] priv;
            try {
                priv = WireGuardKeys.fromBase64(text);
            } catch (WireGuardKeys.InvalidKeyText e) {
                err.println("braid pubkey: stdin does not hold a private key: " + e.getMessage());
                return USAGE;
            }
            out.println(WireGuardKeys.toBase64(WireGuardKeys.publicFromPrivate(priv)));
            return OK;
        }
    }
}
