/**
 * Tariffs as contracts are written: flat, time-of-use bands, monthly tiers, standing charge, VAT;
 * versioned by validity date.
 */
package dev.ims.portal.tariff;
