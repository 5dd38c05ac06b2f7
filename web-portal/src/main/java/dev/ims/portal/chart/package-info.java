/** Charts rendered on the server as accessible inline SVG, so pages need no JavaScript and no CDN. */
package dev.ims.portal.chart;
