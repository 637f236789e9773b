package dev.braid.gateway.config;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a config came from: the file and the line of every setting it spelled out, keyed by the
 * setting's dotted path ({@code peer.endpoint}, {@code remote.prefixes[0]}). Kept with the config so
 * that checks made after loading (the planner's, which need the worker count) still point at a line.
 */
public record ConfigSource(Path file, Map<String, Integer> lineByField) {
    public ConfigSource {
        lineByField = Map.copyOf(lineByField);
    }

    /**
     * The line of {@code field}, or of the nearest enclosing setting the file spelled out (a default
     * has no line of its own: {@code listen.base_port} left out points at {@code listen:} if present),
     * or line 1.
     */
    public int lineOf(String field) {
        String path = field;
        while (!path.isEmpty()) {
            Integer line = lineByField.get(path);
            if (line != null) {
                return line;
            }
            path = parentOf(path);
        }
        return lineByField.getOrDefault("", 1);
    }

    /** An error about {@code field}, at its line (see {@link #lineOf}). */
    public ConfigError error(String field, String problem) {
        return new ConfigError(file, lineOf(field), field, problem);
    }

    private static String parentOf(String path) {
        int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
        return cut < 0 ? "" : path.substring(0, cut);
    }
}
