package dev.braid.pinning;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The recorded trees under src/test/resources/sysfs, and copies of them to change in a test. */
final class SysfsTrees {

    private SysfsTrees() {
    }

    static Path tree(String machine) {
        URL url = SysfsTrees.class.getResource("/sysfs/" + machine);
        if (url == null) {
            throw new IllegalArgumentException("no recorded tree " + machine);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static CpuTopology read(String machine) {
        return CpuTopology.read(tree(machine));
    }

    /** Copies a recorded tree into {@code target} so a test can delete or break files in it. */
    static Path copy(String machine, Path target) {
        Path source = tree(machine);
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path path : paths.toList()) {
                Path destination = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(destination);
                } else {
                    Files.copy(path, destination);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static void write(Path root, String relative, String text) {
        try {
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void delete(Path root, String relative) {
        try {
            Files.delete(root.resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
