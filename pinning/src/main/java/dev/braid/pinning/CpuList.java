package dev.braid.pinning;

import java.util.Collection;
import java.util.Collections;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The kernel's CPU list syntax, as sysfs prints it ({@code online}, {@code isolated},
 * {@code core_cpus_list}, {@code Cpus_allowed_list}) and as users write it (taskset, isolcpus=).
 *
 * <p>A list is comma-separated items; an item is a CPU ({@code 8}), a range ({@code 0-3}) or a
 * range with a group stride ({@code 0-15:2/4}: in each group of 4 starting at 0, the first 2 —
 * the form the kernel accepts on its command line). Whitespace and newlines around items are
 * ignored; an empty or blank text is the empty list. Anything else is refused with an
 * {@link IllegalArgumentException} that says what was wrong; callers add which file it came from.
 */
public final class CpuList {

    /**
     * CPU numbers above this are refused: the kernel's own limit (CONFIG_NR_CPUS) is 8192, and a
     * bound keeps a corrupt "0-4294967295" from allocating a set of four billion entries.
     */
    public static final int MAX_CPU_NUMBER = 65_535;

    private CpuList() {
    }

    /** Parses a CPU list; the result is sorted and unmodifiable. */
    public static SortedSet<Integer> parse(String text) {
        TreeSet<Integer> cpus = new TreeSet<>();
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return Collections.unmodifiableSortedSet(cpus);
        }
        for (String rawItem : trimmed.split(",", -1)) {
            String item = rawItem.strip();
            if (item.isEmpty()) {
                throw new IllegalArgumentException("empty item in CPU list \"" + trimmed + "\"");
            }
            parseItem(item, trimmed, cpus);
        }
        return Collections.unmodifiableSortedSet(cpus);
    }

    private static void parseItem(String item, String whole, TreeSet<Integer> into) {
        String range = item;
        int usedPerGroup = -1;
        int groupSize = -1;
        int colon = item.indexOf(':');
        if (colon >= 0) {
            range = item.substring(0, colon).strip();
            String stride = item.substring(colon + 1).strip();
            int slash = stride.indexOf('/');
            if (slash < 0) {
                throw new IllegalArgumentException("stride \"" + stride + "\" in \"" + item
                        + "\" is not of the form used/group (e.g. 0-15:2/4) in CPU list \"" + whole + "\"");
            }
            usedPerGroup = number(stride.substring(0, slash), item, whole);
            groupSize = number(stride.substring(slash + 1), item, whole);
            if (usedPerGroup < 1 || groupSize < 1 || usedPerGroup > groupSize) {
                throw new IllegalArgumentException("stride in \"" + item
                        + "\" needs 1 <= used <= group in CPU list \"" + whole + "\"");
            }
        }
        int dash = range.indexOf('-');
        int first;
        int last;
        if (dash < 0) {
            if (colon >= 0) {
                throw new IllegalArgumentException("a stride needs a range (e.g. 0-15:2/4), not \""
                        + item + "\", in CPU list \"" + whole + "\"");
            }
            first = number(range, item, whole);
            last = first;
        } else {
            first = number(range.substring(0, dash), item, whole);
            last = number(range.substring(dash + 1), item, whole);
            if (last < first) {
                throw new IllegalArgumentException("range \"" + item + "\" runs backwards in CPU list \""
                        + whole + "\"");
            }
        }
        for (int cpu = first; cpu <= last; cpu++) {
            if (groupSize < 0 || (cpu - first) % groupSize < usedPerGroup) {
                into.add(cpu);
            }
        }
    }

    private static int number(String digits, String item, String whole) {
        String text = digits.strip();
        if (text.isEmpty() || text.length() > 6 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("\"" + text + "\" in \"" + item + "\" is not a CPU number in CPU list \""
                    + whole + "\"");
        }
        int value = Integer.parseInt(text);
        if (value > MAX_CPU_NUMBER) {
            throw new IllegalArgumentException("CPU " + value + " in \"" + item + "\" is above " + MAX_CPU_NUMBER
                    + " in CPU list \"" + whole + "\"");
        }
        return value;
    }

    /** Formats CPUs the way the kernel prints them: ascending, consecutive CPUs as ranges ("0-3,8,10-11"). */
    public static String format(Collection<Integer> cpus) {
        if (cpus.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        Integer runStart = null;
        int previous = -2;
        for (int cpu : new TreeSet<>(cpus)) {
            if (runStart != null && cpu == previous + 1) {
                previous = cpu;
                continue;
            }
            if (runStart != null) {
                appendRun(text, runStart, previous);
            }
            runStart = cpu;
            previous = cpu;
        }
        appendRun(text, runStart, previous);
        return text.toString();
    }

    private static void appendRun(StringBuilder text, int first, int last) {
        if (!text.isEmpty()) {
            text.append(',');
        }
        if (first == last) {
            text.append(first);
        } else {
            text.append(first).append('-').append(last);
        }
    }
}
