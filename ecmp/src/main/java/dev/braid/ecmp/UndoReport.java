package dev.braid.ecmp;

import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@link ChangeJournal#undoAll} did, entry by entry, newest first: for the supervisor to print
 * ("removed what a previous supervisor left: ...") and for tests to check.
 */
public record UndoReport(List<Outcome> outcomes) {

    public enum Status {
        /** Reverted now. */
        UNDONE,
        /** Was not there any more (ENODEV, ESRCH, ENOENT, EADDRNOTAVAIL): nothing to do. */
        ALREADY_GONE,
        /** Not attempted: the journal predates the last reboot. */
        SKIPPED,
        /** The system refused; {@link Outcome#detail} says why. Needs an operator. */
        FAILED
    }

    public record Outcome(JournalEntry entry, Status status, String detail) {
        @Override
        public String toString() {
            return entry.format() + ": " + status.name().toLowerCase().replace('_', ' ')
                    + (detail.isEmpty() ? "" : " (" + detail + ")");
        }
    }

    public UndoReport {
        outcomes = List.copyOf(outcomes);
    }

    public static UndoReport empty() {
        return new UndoReport(List.of());
    }

    public boolean isEmpty() {
        return outcomes.isEmpty();
    }

    /** True when nothing failed. */
    public boolean isClean() {
        return outcomes.stream().noneMatch(o -> o.status() == Status.FAILED);
    }

    public List<Outcome> failures() {
        return outcomes.stream().filter(o -> o.status() == Status.FAILED).toList();
    }

    public List<JournalEntry> undone() {
        return outcomes.stream().filter(o -> o.status() == Status.UNDONE).map(Outcome::entry).toList();
    }

    /** One line per outcome. */
    @Override
    public String toString() {
        return outcomes.isEmpty() ? "nothing to undo"
                : outcomes.stream().map(Outcome::toString).collect(Collectors.joining("\n"));
    }
}
