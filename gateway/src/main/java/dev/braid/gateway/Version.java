package dev.braid.gateway;

/** The version the jar was built as (from its manifest), or "dev" when run from classes. */
public final class Version {
    private Version() {
    }

    public static String text() {
        String v = Version.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
