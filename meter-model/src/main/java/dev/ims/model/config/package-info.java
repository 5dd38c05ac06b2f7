/**
 * Configuration shared by every service: the contract's environment variables, their defaults in one
 * place, and parsing that fails with a message naming the variable. Read once in a {@code main} and
 * passed down through constructors.
 */
package dev.ims.model.config;
