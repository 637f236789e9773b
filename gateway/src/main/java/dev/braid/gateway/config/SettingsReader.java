package dev.braid.gateway.config;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the located YAML tree for the schema walk: each getter either returns a value or
 * records one located error and returns null, so the walk goes on and reports every problem in one
 * run. An absent key and an empty value ({@code key:} or {@code key: ~}) both mean "not given": a
 * default applies, or a "required" error names the key. It also records the line of every setting
 * it reads, for {@link ConfigSource}.
 */
final class SettingsReader {
    private final Path file;
    private final List<ConfigError> errors;
    private final Map<String, Integer> lineByField = new HashMap<>();

    SettingsReader(Path file, List<ConfigError> errors) {
        this.file = file;
        this.errors = errors;
    }

    Path file() {
        return file;
    }

    Map<String, Integer> lineByField() {
        return lineByField;
    }

    void error(int line, String field, String problem) {
        errors.add(new ConfigError(file, line, field, problem));
    }

    void error(YamlNode node, String problem) {
        error(node.line(), node.path(), problem);
    }

    static String pathOf(YamlNode.MapNode map, String key) {
        return YamlNode.childPath(map.path(), key);
    }

    /** Unknown keys are errors, with a "did you mean" for near misses (see {@link KeyHints}). */
    void rejectUnknownKeys(YamlNode.MapNode map, List<String> known, Map<String, List<String>> schema) {
        for (YamlNode.Entry entry : map.entries()) {
            if (!known.contains(entry.key())) {
                error(entry.keyLine(), pathOf(map, entry.key()),
                        "unknown setting (" + KeyHints.hint(entry.key(), map.path(), schema) + ")");
            }
        }
    }

    /** The value, or null when absent or empty; records its line. */
    YamlNode value(YamlNode.MapNode map, String key) {
        YamlNode.Entry entry = map.entry(key);
        if (entry == null) {
            return null;
        }
        lineByField.put(entry.value().path(), entry.value().line());
        if (entry.value() instanceof YamlNode.ScalarNode s && s.kind() == YamlNode.ScalarKind.NULL) {
            return null;
        }
        return entry.value();
    }

    void missing(YamlNode.MapNode map, String key, String what) {
        error(map.line(), pathOf(map, key), "is required: " + what);
    }

    /**
     * A text setting. Numbers are taken as their text (a site may be named 42); yes/no values, lists
     * and maps are refused.
     */
    String text(YamlNode.MapNode map, String key, String requiredWhat) {
        YamlNode node = value(map, key);
        if (node == null) {
            if (requiredWhat != null) {
                missing(map, key, requiredWhat);
            }
            return null;
        }
        return textOf(node);
    }

    String textOf(YamlNode node) {
        if (node instanceof YamlNode.ScalarNode s && s.kind() != YamlNode.ScalarKind.BOOLEAN) {
            return s.text().strip();
        }
        String quoteHint = node instanceof YamlNode.ScalarNode ? " (put it in quotes to mean the text)" : "";
        error(node, "expected text, got " + node.describe() + quoteHint);
        return null;
    }

    /** A whole number in {@code min..max}, the default when absent, null after an error. */
    Long integer(YamlNode.MapNode map, String key, long min, long max, Long defaultValue) {
        YamlNode node = value(map, key);
        if (node == null) {
            return defaultValue;
        }
        return integerOf(node, min, max, "");
    }

    Long integerOf(YamlNode node, long min, long max, String alternatives) {
        if (!(node instanceof YamlNode.ScalarNode s) || s.kind() != YamlNode.ScalarKind.INTEGER) {
            String hint = node instanceof YamlNode.ScalarNode s && s.kind() == YamlNode.ScalarKind.STRING
                    && s.text().strip().matches("-?\\d+") ? " (write it without quotes)" : "";
            error(node, "expected a whole number " + min + ".." + max + alternatives + ", got " + node.describe() + hint);
            return null;
        }
        BigInteger value = new BigInteger(s.text());
        if (value.compareTo(BigInteger.valueOf(min)) < 0 || value.compareTo(BigInteger.valueOf(max)) > 0) {
            error(node, "must be " + min + ".." + max + alternatives + ", got " + value);
            return null;
        }
        return value.longValue();
    }

    Boolean bool(YamlNode.MapNode map, String key, boolean defaultValue) {
        YamlNode node = value(map, key);
        if (node == null) {
            return defaultValue;
        }
        if (node instanceof YamlNode.ScalarNode s && s.kind() == YamlNode.ScalarKind.BOOLEAN) {
            return Boolean.parseBoolean(s.text());
        }
        error(node, "expected true or false, got " + node.describe());
        return null;
    }

    /**
     * A nested map; when absent, an empty map at the parent's line (so defaults apply and "required"
     * errors point at the parent). Null after a type error, or when absent and {@code requiredWhat}
     * is given (after reporting it).
     */
    YamlNode.MapNode map(YamlNode.MapNode parent, String key, String requiredWhat) {
        YamlNode node = value(parent, key);
        if (node == null) {
            if (requiredWhat != null) {
                missing(parent, key, requiredWhat);
                return null;
            }
            return new YamlNode.MapNode(pathOf(parent, key), parent.line(), List.of());
        }
        if (node instanceof YamlNode.MapNode map) {
            return map;
        }
        error(node, "expected a section of 'key: value' lines indented under " + key + ":, got " + node.describe());
        return null;
    }

    /** A list of values (empty when absent); null after a type error. */
    List<YamlNode> list(YamlNode.MapNode parent, String key, String example) {
        YamlNode node = value(parent, key);
        if (node == null) {
            return List.of();
        }
        if (node instanceof YamlNode.ListNode list) {
            for (YamlNode item : list.items()) {
                lineByField.put(item.path(), item.line());
            }
            return new ArrayList<>(list.items());
        }
        error(node, "expected a list, got " + node.describe() + " (write " + example + ")");
        return null;
    }
}
