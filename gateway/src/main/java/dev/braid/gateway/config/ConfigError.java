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

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder().append(file);
        if (line > 0) {
            text.append(':').append(line);
        }
        text.append(": ");
        if (!field.isEmpty()) {
            text.append(field).append(": ");
        }
        return text.append(problem).toString();
    }
}
