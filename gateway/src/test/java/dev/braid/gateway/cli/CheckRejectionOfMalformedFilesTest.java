package dev.braid.gateway.cli;

import static dev.braid.gateway.config.SiteFiles.check;
import static dev.braid.gateway.config.SiteFiles.lineOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.braid.gateway.config.SiteFiles;
import dev.braid.gateway.config.SiteFiles.CheckRun;

/**
 * `braid check` on files that are not configs at all or are mangled (what SiteConfigFuzzTest's
 * corpus starts from, pinned down here): binary junk, another text encoding, wrong types, tabs,
 * keys and values with line breaks. Each is exit status 2 with every error on one line of the form
 * FILE:LINE: FIELD: problem. (CheckRejectionTest covers the common mistakes in real configs.)
 */
class CheckRejectionOfMalformedFilesTest {
    @TempDir
    Path dir;
    SiteFiles files;

    @BeforeEach
    void keys() throws IOException {
        files = new SiteFiles(dir);
    }

    /** Runs check on the file's bytes; returns stderr after checking the status and that every line is an error or the summary. */
    private String refused(byte[] content) throws IOException {
        Path config = dir.resolve("site.yaml");
        Files.write(config, content);
        CheckRun run = check(config, 4);
        assertEquals(2, run.status(), "exit status; stderr:\n" + run.err());
        assertEquals("", run.out());
        List<String> lines = run.err().lines().toList();
        assertTrue(lines.getLast().startsWith("braid check: "), "summary line last:\n" + run.err());
        for (String line : lines.subList(0, lines.size() - 1)) {
            assertTrue(line.startsWith(config + ":"), "every error on its own line, starting with the file: " + line);
        }
        return run.err();
    }

    private String refused(String yaml) throws IOException {
        return refused(yaml.getBytes(StandardCharsets.UTF_8));
    }

    private Path config() {
        return dir.resolve("site.yaml");
    }

    private static void assertMentions(String text, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(text.contains(fragment), "'" + fragment + "' in:\n" + text);
        }
    }

    @Test
    void binaryJunkIsNotUtf8AtLineOne() throws IOException {
        byte[] junk = new byte[4096];
        new SplittableRandom(7).nextBytes(junk);
        junk[0] = (byte) 0xff; // never valid in UTF-8
        String err = refused(junk);
        assertMentions(err, config() + ":1: is not UTF-8 text (byte 0xff at offset 0", "check the path");
    }

    @Test
    void aLatin1LetterIsReportedAtItsLine() throws IOException {
        String yaml = files.configA().replace("site: hq", "site: hq\n# caf\u00e9 on the corner");
        String err = refused(yaml.getBytes(StandardCharsets.ISO_8859_1));
        assertMentions(err, config() + ":" + lineOf(yaml, "caf") + ": is not UTF-8 text (byte 0xe9", "save it as UTF-8");
    }

    @Test
    void aYesNoValueWhereTextGoes() throws IOException {
        String yaml = files.configAWith("site: hq", "site: yes");
        assertMentions(refused(yaml), config() + ":1: site: expected text, got the yes/no value true (put it in quotes");
    }

    @Test
    void aDecimalWhereAWholeNumberGoes() throws IOException {
        String yaml = files.configAWith("workers: 4", "workers: 4\nmtu: 1400.5");
        assertMentions(refused(yaml), config() + ":" + lineOf(yaml, "mtu") + ": mtu: expected a whole number 576..9000 or auto,"
                + " got the decimal number 1400.5");
    }

    @Test
    void aValueWhereASectionGoes() throws IOException {
        String yaml = files.configAWith("listen:\n  base_port: 51820", "listen: 51820");
        assertMentions(refused(yaml), config() + ":" + lineOf(yaml, "listen") + ": listen: expected a section of 'key: value' lines"
                + " indented under listen:, got the number 51820");
    }

    @Test
    void tabsForIndentation() throws IOException {
        String yaml = files.configA().replace("  endpoint:", "\tendpoint:");
        assertMentions(refused(yaml), config() + ":" + lineOf(yaml, "\tendpoint") + ": not valid YAML", "not tabs");
    }

    @Test
    void anEmptyKeyIsNamed() throws IOException {
        String yaml = files.configA() + "\"\": 1\n";
        assertMentions(refused(yaml), config() + ":" + lineOf(yaml, "\"\": 1") + ": \"\": unknown setting");
    }

    @Test
    void lineBreaksInKeysAndValuesStayOnOneLine() throws IOException {
        String yaml = files.configAWith("site: hq", "site: \"h\\nq\"") + "\"colour\\tshade\\r\\n\": blue\n";
        String err = refused(yaml);
        assertMentions(err, config() + ":1: site: 'h\\nq' is not a site name",
                config() + ":" + lineOf(yaml, "colour") + ": \"colour\\tshade\\r\\n\": unknown setting");
    }
}
