/** Daily and monthly usage from the rollups, priced by the tariff. */
package dev.ims.portal.usage;
