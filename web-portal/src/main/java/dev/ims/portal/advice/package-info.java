/**
 * Energy-saving suggestions computed from a consumer's own data, each with evidence and an estimated
 * yearly saving.
 */
package dev.ims.portal.advice;
