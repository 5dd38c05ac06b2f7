/**
 * Circuits behind a meter (appliances or sub-circuits with their own measurement and relay): how meters describe them
 * and report their values.
 */
package dev.ims.model.circuit;
