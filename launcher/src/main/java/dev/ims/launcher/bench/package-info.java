/**
 * The benchmark the project ships ({@code ./ims bench}). Write phases: the raw limits of the broker and of the store,
 * the pipeline end to end in a backlog and a field profile with its latencies, lost and duplicated readings counted in
 * the store's own layout ({@link dev.ims.launcher.bench.StoredSeqs}), and the memory of a fleet of connected simulated
 * meters. Read phase ({@code --read}): the portal over a store holding a year of 1-minute readings beside a fleet,
 * measured over HTTP. Figures are printed beside issue 13's targets, never asserted; the exit code says whether a
 * reading was lost or duplicated or an answer was wrong.
 */
package dev.ims.launcher.bench;
