package dev.braid.gateway.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One problem in a site config, printed as one line: {@code FILE:LINE: FIELD: problem (what to do)}.
 * The field is the dotted path of the setting ({@code peer.public_key}, {@code remote.prefixes[1]});
 * it is empty for problems with the file as a whole, and the line is 0 when no line applies (the
 * file cannot be read at all).
 */
public record ConfigError(Path file, int line, String field, String problem) {
    public ConfigError {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(problem, "problem");
    }

    /** The error as one line; control characters the config put into it (a quoted "a\nb") are escaped. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(escaped(file.toString()));
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ");
        if (!field.isEmpty()) {
            text.append(escaped(field)).append(": ");
        }
        return text.append(escaped(problem)).toString();
    }

    /**
     * {@code text} with line breaks, tabs and other control characters written as escapes (a
     * backslash and n, r or t, or u and four hex digits), so that text copied from a config file
     * cannot break an error over several lines.
     */
    static String escaped(String text) {
        StringBuilder out = null;
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            boolean control = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
            if (control && out == null) {
                out = new StringBuilder(text.length() + 8).append(text, 0, k);
            }
            if (out == null) {
                continue;
            }
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (control) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out == null ? text : out.toString();
    }
}
