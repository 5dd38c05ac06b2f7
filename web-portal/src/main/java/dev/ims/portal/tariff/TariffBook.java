package dev.ims.portal.tariff;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * All versions of one tariff, ordered by {@code validFrom}; each is valid from its day (inclusive) up to
 * the next version's day. Immutable: corrections and additions make a new book ({@link #with}).
 */
public final class TariffBook {

    private final List<TariffVersion> versions;

    /**
     * @param versions in any order; at least one, no two with the same {@code validFrom}
     * @throws TariffException when empty or two versions share a validity day
     */
    public TariffBook(List<TariffVersion> versions) {
        if (versions == null || versions.isEmpty()) {
            throw new TariffException("a tariff book needs at least one version");
        }
        List<TariffVersion> sorted = new ArrayList<>(versions.size());
        for (TariffVersion v : versions) {
            sorted.add(Objects.requireNonNull(v, "version"));
        }
        sorted.sort(Comparator.comparing(TariffVersion::validFrom));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).validFrom().equals(sorted.get(i - 1).validFrom())) {
                throw new TariffException("two versions are valid from " + sorted.get(i).validFrom());
            }
        }
        this.versions = List.copyOf(sorted);
    }

    /** The versions, earliest {@code validFrom} first; unmodifiable. */
    public List<TariffVersion> versions() {
        return versions;
    }

    /**
     * The version that prices local {@code day}: the latest one with {@code validFrom <= day}. A day before
     * every version is priced by the earliest version, so usage recorded before the first version was
     * entered is still priced (by the oldest known terms) instead of leaving a hole in a bill.
     */
    public TariffVersion versionOn(LocalDate day) {
        Objects.requireNonNull(day, "day");
        TariffVersion found = versions.get(0);
        for (TariffVersion v : versions) {
            if (v.validFrom().isAfter(day)) {
                break;
            }
            found = v;
        }
        return found;
    }

    /** The version in force on local day {@code today}; same rule as {@link #versionOn}. */
    public TariffVersion current(LocalDate today) {
        return versionOn(today);
    }

    /**
     * A new book in which {@code v} replaces the version with the same {@code validFrom} (a correction) or,
     * when there is none, is added (a new version). This book is unchanged.
     */
    public TariffBook with(TariffVersion v) {
        Objects.requireNonNull(v, "version");
        List<TariffVersion> next = new ArrayList<>(versions.size() + 1);
        for (TariffVersion old : versions) {
            if (!old.validFrom().equals(v.validFrom())) {
                next.add(old);
            }
        }
        next.add(v);
        return new TariffBook(next);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TariffBook other && versions.equals(other.versions);
    }

    @Override
    public int hashCode() {
        return versions.hashCode();
    }

    @Override
    public String toString() {
        return "TariffBook" + versions;
    }
}
