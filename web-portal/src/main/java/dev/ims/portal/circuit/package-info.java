/**
 * A meter's circuits (issue 12). As the consumer sees them: descriptions and state as reported, today's and the
 * month's use per circuit from the hourly rollups, each circuit's share of the month's bill under the real tariff
 * ({@link dev.ims.portal.circuit.CircuitService}). Their control: the meter's owner switches their non-critical circuits
 * and sets their schedules, sent as signed CIRCUIT and SCHEDULE commands through the relay commands' path
 * ({@link dev.ims.portal.command.CommandService}); schedule presets from the tariff in force
 * ({@link dev.ims.portal.circuit.SchedulePresets}); whether a schedule was followed, judged from the hourly rollups
 * ({@link dev.ims.portal.circuit.ScheduleCompliance}).
 */
package dev.ims.portal.circuit;
