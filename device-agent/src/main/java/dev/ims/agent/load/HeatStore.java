package dev.ims.agent.load;

/**
 * A store of heat kept by a thermostat switching a load of fixed power (a water heater's tank, a heat-pumped house):
 * the load starts when the heat deficit passes a threshold and stops when the deficit is made up, and never runs while
 * its circuit may not draw (the deficit then grows and is made up later: the load moves). The owner adds the deficit
 * (losses, hot water drawn, heat demand) in its own way; this keeps the on/off hysteresis and the energy drawn.
 */
final class HeatStore {

    private final double startDeficitKwh;
    private final double maxDeficitKwh;
    private double deficitKwh;
    private boolean on;

    HeatStore(double startDeficitKwh, double maxDeficitKwh) {
        this.startDeficitKwh = startDeficitKwh;
        this.maxDeficitKwh = maxDeficitKwh;
    }

    double deficitKwh() {
        return deficitKwh;
    }

    boolean on() {
        return on;
    }

    /** Adds heat lost or drawn, kWh (of the load's electricity); beyond the maximum the store is simply cold. */
    void lose(double kwh) {
        deficitKwh = Math.min(maxDeficitKwh, deficitKwh + kwh);
    }

    /** Adds heat lost or drawn unless the store is already at its maximum deficit (may end a little beyond it). */
    void loseBelowMax(double kwh) {
        if (deficitKwh < maxDeficitKwh) {
            deficitKwh += kwh;
        }
    }

    /**
     * One step of {@code hours}: the load's average power in W, drawing at most {@code ratedW} and never more than the
     * deficit.
     */
    double run(double hours, boolean allowed, double ratedW) {
        if (!allowed) {
            on = false;
            return 0;
        }
        if (!on && deficitKwh > startDeficitKwh) {
            on = true;
        }
        if (!on) {
            return 0;
        }
        double kwh = Math.min(ratedW / 1000.0 * hours, deficitKwh);
        deficitKwh -= kwh;
        if (deficitKwh <= 1e-9) {
            deficitKwh = 0;
            on = false;
        }
        return hours > 0 ? kwh * 1000 / hours : 0;
    }

    /** Back to a saved state (the meter's state file), the deficit within its bounds. */
    void restore(double deficitKwh, boolean on) {
        this.deficitKwh = Math.max(0, Math.min(maxDeficitKwh, deficitKwh));
        this.on = on;
    }
}
