package dev.braid.gateway.config;

import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A site config that cannot be used, with every problem found (not just the first), each already
 * located in the file. Callers print {@link #errors()} one per line and exit with status 2.
 */
public final class ConfigException extends Exception {
    private final List<ConfigError> errors;

    /** @param errors in any order; kept in file order (by line, stable), as a reader goes through the file */
    public ConfigException(List<ConfigError> errors) {
        super(inFileOrder(errors).stream().map(ConfigError::toString).collect(Collectors.joining("\n")));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = inFileOrder(errors);
    }

    private static List<ConfigError> inFileOrder(List<ConfigError> errors) {
        return errors.stream().sorted(Comparator.comparingInt(ConfigError::line)).toList();
    }

    public List<ConfigError> errors() {
        return errors;
    }
}
