package dev.braid.gateway.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a config file into a tree of {@link YamlNode}s, each carrying its line. It walks Jackson's
 * YAML token stream once (rather than binding to a JsonNode, which forgets where values came from),
 * which also lets it catch what a plain bind would silently accept: duplicate keys (every one, not
 * only the first), aliases (Jackson reports {@code *name} as the text "name"), and a second YAML
 * document after {@code ---}. Problems go to the error list; the tree is null when there is none.
 */
final class YamlDocumentReader {
    /** A site config is a page of text; anything bigger is the wrong file (or /dev/zero). */
    static final int MAX_FILE_BYTES = 1 << 20;

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    private final Path file;
    private final List<ConfigError> errors;

    private YamlDocumentReader(Path file, List<ConfigError> errors) {
        this.file = file;
        this.errors = errors;
    }

    /** The document's top-level map, or null with the reason added to {@code errors}. */
    static YamlNode.MapNode read(Path file, List<ConfigError> errors) {
        String text = readText(file, errors);
        return text == null ? null : new YamlDocumentReader(file, errors).parse(text);
    }

    private static String readText(Path file, List<ConfigError> errors) {
        if (!Files.exists(file)) {
            errors.add(new ConfigError(file, 0, "", "the config file does not exist (start from configs/site-a.yaml)"));
            return null;
        }
        if (!Files.isRegularFile(file)) {
            errors.add(new ConfigError(file, 0, "", "is not a regular file (give the path of a site's YAML config)"));
            return null;
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (IOException e) {
            errors.add(new ConfigError(file, 0, "", "cannot read the config file: " + e.getMessage()));
            return null;
        }
        if (bytes.length > MAX_FILE_BYTES) {
            errors.add(new ConfigError(file, 0, "", "is larger than " + MAX_FILE_BYTES + " bytes: not a site config (check the path)"));
            return null;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            // where the first bad byte is: a stray Latin-1 letter in an otherwise fine file is worth a line number
            int at = in.position();
            errors.add(new ConfigError(file, lineAt(bytes, at), "", String.format(
                    "is not UTF-8 text (byte 0x%02x at offset %d is not valid UTF-8): not a YAML config, or saved in "
                            + "another encoding (check the path, or save it as UTF-8)", bytes[at] & 0xff, at)));
            return null;
        }
        return out.flip().toString();
    }

    /** The 1-based line of byte {@code offset}: one more than the newlines before it. */
    private static int lineAt(byte[] bytes, int offset) {
        int line = 1;
        for (int k = 0; k < offset && k < bytes.length; k++) {
            if (bytes[k] == '\n') {
                line++;
            }
        }
        return line;
    }

    private YamlNode.MapNode parse(String text) {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) {
                errors.add(new ConfigError(file, 1, "", "the file is empty or holds only comments (start from configs/site-a.yaml)"));
                return null;
            }
            YamlNode root = readValue(parser, "", lineOf(parser));
            JsonToken after = parser.nextToken();
            if (after != null) {
                errors.add(new ConfigError(file, lineOf(parser), "",
                        "a second YAML document starts here ('---'): one file describes one site (remove it or split the file)"));
            }
            if (root instanceof YamlNode.MapNode map) {
                return map;
            }
            errors.add(new ConfigError(file, root.line(), "",
                    "the file holds " + root.describe() + ", not settings (a site config is 'key: value' lines, see configs/site-a.yaml)"));
            return null;
        } catch (JsonProcessingException e) {
            errors.add(syntaxError(e));
            return null;
        } catch (IOException e) {
            errors.add(new ConfigError(file, 0, "", "cannot read the config file: " + e.getMessage()));
            return null;
        }
    }

    private YamlNode readValue(JsonParser parser, String path, int keyLine) throws IOException {
        JsonToken token = parser.currentToken();
        int line = lineOf(parser);
        if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            errors.add(new ConfigError(file, line, path, "YAML aliases (*name) are not supported (write the value out in full)"));
            return new YamlNode.ScalarNode(path, line, YamlNode.ScalarKind.NULL, "");
        }
        return switch (token) {
            case START_OBJECT -> readMap(parser, path, keyLine);
            case START_ARRAY -> readList(parser, path, keyLine);
            case VALUE_STRING -> {
                String text = parser.getText();
                yield new YamlNode.ScalarNode(path, line, text.isEmpty() ? YamlNode.ScalarKind.NULL : YamlNode.ScalarKind.STRING, text);
            }
            case VALUE_NUMBER_INT -> new YamlNode.ScalarNode(path, line, YamlNode.ScalarKind.INTEGER, parser.getBigIntegerValue().toString());
            case VALUE_NUMBER_FLOAT -> new YamlNode.ScalarNode(path, line, YamlNode.ScalarKind.FLOAT, parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.ScalarNode(path, line, YamlNode.ScalarKind.BOOLEAN, String.valueOf(token == JsonToken.VALUE_TRUE));
            case VALUE_NULL -> new YamlNode.ScalarNode(path, line, YamlNode.ScalarKind.NULL, "");
            default -> {
                // VALUE_EMBEDDED_OBJECT: a !!binary scalar; nothing in a site config is binary
                errors.add(new ConfigError(file, line, path, "unexpected YAML value (" + token + "); write plain text, numbers, lists or maps"));
                yield new YamlNode.ScalarNode(path, line, YamlNode.ScalarKind.NULL, "");
            }
        };
    }

    private YamlNode.MapNode readMap(JsonParser parser, String path, int keyLine) throws IOException {
        List<YamlNode.Entry> entries = new ArrayList<>();
        Map<String, Integer> firstLineByKey = new HashMap<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int line = lineOf(parser);
            String childPath = YamlNode.childPath(path, key);
            parser.nextToken();
            YamlNode value = readValue(parser, childPath, line);
            Integer firstLine = firstLineByKey.putIfAbsent(key, line);
            if (firstLine != null) {
                errors.add(new ConfigError(file, line, childPath,
                        "appears twice (first on line " + firstLine + "); keep only one"));
            } else {
                entries.add(new YamlNode.Entry(key, line, value));
            }
        }
        return new YamlNode.MapNode(path, keyLine, entries);
    }

    private YamlNode.ListNode readList(JsonParser parser, String path, int keyLine) throws IOException {
        List<YamlNode> items = new ArrayList<>();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            items.add(readValue(parser, path + "[" + items.size() + "]", lineOf(parser)));
        }
        return new YamlNode.ListNode(path, keyLine, items);
    }

    private static int lineOf(JsonParser parser) {
        return Math.max(1, parser.currentTokenLocation().getLineNr());
    }

    /**
     * One line from SnakeYAML's multi-line report: the problem at the line it was found, with the
     * construct it was inside ("while scanning a quoted scalar", which started on line 3).
     */
    private ConfigError syntaxError(JsonProcessingException e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                StringBuilder problem = new StringBuilder("not valid YAML: ");
                if (marked.getContext() != null) {
                    problem.append(marked.getContext());
                    if (marked.getContextMark() != null && marked.getContextMark().getLine() != marked.getProblemMark().getLine()) {
                        problem.append(" (from line ").append(marked.getContextMark().getLine() + 1).append(')');
                    }
                    problem.append(": ");
                }
                problem.append(oneLine(marked.getProblem()));
                problem.append(" (check the indentation and quoting; indent with spaces, not tabs)");
                return new ConfigError(file, marked.getProblemMark().getLine() + 1, "", problem.toString());
            }
        }
        JsonLocation location = e.getLocation();
        return new ConfigError(file, location == null ? 0 : Math.max(1, location.getLineNr()), "",
                "not valid YAML: " + oneLine(e.getOriginalMessage()) + " (is this the right file?)");
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
