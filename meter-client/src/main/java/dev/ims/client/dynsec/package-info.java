/**
 * Enrolment and revocation on a Mosquitto broker with the dynamic-security plugin
 * ({@link dev.ims.client.dynsec.DynsecAccounts}): the commands {@link dev.ims.model.security.DynsecConfig} builds, sent
 * over MQTT as the plugin's admin client.
 */
package dev.ims.client.dynsec;
