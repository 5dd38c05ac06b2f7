/** Meter identity: the ID rule of the contract and the generator of new, time-ordered IDs. */
package dev.ims.model.meter;
