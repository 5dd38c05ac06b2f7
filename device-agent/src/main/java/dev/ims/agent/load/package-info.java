/**
 * What a simulated meter measures: the household's load ({@link dev.ims.agent.load.LoadModel}) and, for a
 * prosumer, its solar panels' output ({@link dev.ims.agent.load.SolarModel}). Pure and seedable.
 */
package dev.ims.agent.load;
