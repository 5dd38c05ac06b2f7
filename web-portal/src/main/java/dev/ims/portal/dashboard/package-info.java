/** The consumer's dashboard: the meter now, the month's bill and forecast, charts by day, month and year, advice. */
package dev.ims.portal.dashboard;
