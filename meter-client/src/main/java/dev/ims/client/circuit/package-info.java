/** Circuits behind a meter, as a meter connection drives them. */
package dev.ims.client.circuit;
