/**
 * What a simulated meter measures: the household's load ({@link dev.ims.agent.load.LoadModel}), its appliances on their
 * own circuits ({@link dev.ims.agent.load.HomeCircuits}: water heater, fridge, washing machine, EV charger, heat pump)
 * and, for a prosumer, its solar panels' output ({@link dev.ims.agent.load.SolarModel}). Seedable: choices follow the
 * meter's seed.
 */
package dev.ims.agent.load;
