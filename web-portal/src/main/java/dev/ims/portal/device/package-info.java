/**
 * Enrolled meters and their broker identities: the register ({@link dev.ims.portal.device.DeviceRegistry}, over the
 * store's {@code devices} collection, usable by the launcher's CLI too), enrolment over HTTP with the fleet
 * provisioning key, and staff decommissioning ({@link dev.ims.portal.device.DeviceRoutes}).
 */
package dev.ims.portal.device;
