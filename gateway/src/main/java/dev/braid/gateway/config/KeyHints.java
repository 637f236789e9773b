package dev.braid.gateway.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * "Did you mean" for unknown keys. Keys are compared after folding case and dropping '_' and '-'
 * (so basePort, base-port and BASE_PORT all find base_port), then by edit distance; a key that
 * belongs to another section ({@code base_port} at the top instead of under {@code listen:}) is
 * pointed there.
 */
final class KeyHints {
    private KeyHints() {
    }

    /**
     * @param schema known keys by section path ("" for the top level)
     * @return the text to put in parentheses after "unknown setting"
     */
    static String hint(String key, String sectionPath, Map<String, List<String>> schema) {
        List<String> here = schema.getOrDefault(sectionPath, List.of());
        String near = nearest(key, here);
        if (near != null) {
            return "did you mean " + near + "?";
        }
        for (Map.Entry<String, List<String>> section : schema.entrySet()) {
            if (section.getKey().equals(sectionPath)) {
                continue;
            }
            String elsewhere = nearest(key, section.getValue());
            if (elsewhere != null) {
                String full = section.getKey().isEmpty() ? elsewhere : section.getKey() + "." + elsewhere;
                String where = section.getKey().isEmpty() ? "at the top level" : "under " + section.getKey() + ":";
                return "did you mean " + full + "? it belongs " + where;
            }
        }
        return here.isEmpty() ? "nothing is expected here" : "known here: " + String.join(", ", here);
    }

    /** The known key closest to {@code key}, or null if none is close enough to be a slip. */
    static String nearest(String key, List<String> known) {
        String folded = fold(key);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(folded, fold(candidate));
            int allowed = Math.min(2, Math.max(candidate.length(), 3) / 4);
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static String fold(String key) {
        return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
