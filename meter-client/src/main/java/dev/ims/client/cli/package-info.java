/**
 * Command-line pieces every meter's CLI shares (the simulated agent, the Raspberry Pi bridge, the
 * launcher's fleet), so the options they have in common parse the same way.
 */
package dev.ims.client.cli;
