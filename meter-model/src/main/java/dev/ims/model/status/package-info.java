/** The retained status topic: birth (ONLINE) on connect and last will (OFFLINE) on loss. */
package dev.ims.model.status;
