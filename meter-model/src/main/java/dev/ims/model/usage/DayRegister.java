package dev.ims.model.usage;

import java.time.LocalDate;

/**
 * The registers' range seen on one local day: {@code minKwh} is the first reading's import register (the
 * lowest, as it only grows), {@code maxKwh} the last one's — the end-of-day register. The export register
 * (energy fed into the grid) is kept the same way in {@code minExportKwh}/{@code maxExportKwh}; both are
 * null when no reading of the day carried one (a meter that does not export).
 */
public record DayRegister(LocalDate day, double minKwh, double maxKwh, Double minExportKwh, Double maxExportKwh) {

    public DayRegister {
        if ((minExportKwh == null) != (maxExportKwh == null)) {
            throw new IllegalArgumentException("minExportKwh and maxExportKwh come together, on " + day);
        }
    }

    /** A day without an export register. */
    public DayRegister(LocalDate day, double minKwh, double maxKwh) {
        this(day, minKwh, maxKwh, null, null);
    }

    /** True when a reading of the day carried an export register. */
    public boolean exports() {
        return maxExportKwh != null;
    }
}
