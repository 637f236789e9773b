package dev.braid.gateway.config;

import java.util.List;

/**
 * A YAML value with the line it sits on and its dotted path in the document, so that every check —
 * not only the parser's — can say where the problem is. Built once by {@link YamlDocumentReader}
 * from Jackson's token stream; the schema walk in {@link SiteConfigLoader} reads only these.
 */
sealed interface YamlNode permits YamlNode.MapNode, YamlNode.ListNode, YamlNode.ScalarNode {
    /** Dotted path: "" for the document, "peer.endpoint", "remote.prefixes[1]". */
    String path();

    /** The line users see this value on: the line of its key for maps and lists, of the value for scalars. */
    int line();

    /** What the value is, in words, for "expected X, got Y" messages. */
    String describe();

    /**
     * The dotted path of {@code key} inside the value at {@code parentPath}. A key that is not a plain
     * word (empty, or with spaces, dots, quotes or control characters — a typo or a paste accident)
     * is written quoted and escaped, {@code peer."end point"}, so that an error about it still names it
     * on one line.
     */
    static String childPath(String parentPath, String key) {
        String part = isPlainKey(key) ? key : "\"" + ConfigError.escaped(key).replace("\"", "\\\"") + "\"";
        return parentPath.isEmpty() ? part : parentPath + "." + part;
    }

    private static boolean isPlainKey(String key) {
        if (key.isEmpty()) {
            return false;
        }
        for (int k = 0; k < key.length(); k++) {
            char c = key.charAt(k);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** One key of a map: the key's own line is kept for errors about the key (unknown, duplicate). */
    record Entry(String key, int keyLine, YamlNode value) {
    }

    record MapNode(String path, int line, List<Entry> entries) implements YamlNode {
        public MapNode {
            entries = List.copyOf(entries);
        }

        Entry entry(String key) {
            for (Entry e : entries) {
                if (e.key().equals(key)) {
                    return e;
                }
            }
            return null;
        }

        @Override
        public String describe() {
            return "a map (key: value lines)";
        }
    }

    record ListNode(String path, int line, List<YamlNode> items) implements YamlNode {
        public ListNode {
            items = List.copyOf(items);
        }

        @Override
        public String describe() {
            return "a list";
        }
    }

    /** How YAML typed a scalar. An empty value ({@code key:} with nothing after it) is NULL. */
    enum ScalarKind { STRING, INTEGER, FLOAT, BOOLEAN, NULL }

    record ScalarNode(String path, int line, ScalarKind kind, String text) implements YamlNode {
        @Override
        public String describe() {
            return switch (kind) {
                case STRING -> "the text '" + text + "'";
                case INTEGER -> "the number " + text;
                case FLOAT -> "the decimal number " + text;
                case BOOLEAN -> "the yes/no value " + text;
                case NULL -> "no value";
            };
        }
    }
}
