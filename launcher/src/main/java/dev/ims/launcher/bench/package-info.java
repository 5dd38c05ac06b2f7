/**
 * The benchmark the project ships ({@code ./ims bench}): the raw limits of the broker and of the store,
 * the end-to-end pipeline at full and at half load with its latencies, lost and duplicated counts, and
 * the memory of a fleet of connected simulated meters. Figures are printed, never asserted.
 */
package dev.ims.launcher.bench;
