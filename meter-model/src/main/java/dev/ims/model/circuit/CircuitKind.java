package dev.ims.model.circuit;

/** What a circuit supplies: the portal's choice of advice and of default critical flags follows it. */
public enum CircuitKind {
    WATER_HEATER, HEAT_PUMP, EV_CHARGER, WASHING_MACHINE, DISHWASHER, FRIDGE, FREEZER, COOKING, LIGHTING, MEDICAL, OTHER
}
