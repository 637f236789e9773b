package dev.braid.ecmp;

/**
 * One sysctl handled by {@link SiteRouting#applySysctls}.
 *
 * @param oldValue the value found ("" when the key does not exist)
 * @param status   CHANGED (journaled, then written), UNCHANGED (already so), ABSENT (this kernel has
 *                 no such key, e.g. IPv6 disabled)
 */
public record SysctlChange(String key, String oldValue, String newValue, Status status) {
    public enum Status { CHANGED, UNCHANGED, ABSENT }

    @Override
    public String toString() {
        return switch (status) {
            case CHANGED -> key + ": " + oldValue + " -> " + newValue;
            case UNCHANGED -> key + " = " + newValue + " (already)";
            case ABSENT -> key + ": not present in this kernel, skipped";
        };
    }
}
