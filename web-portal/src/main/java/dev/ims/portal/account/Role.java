package dev.ims.portal.account;

/** What an account may do: a consumer sees the meters linked to them; staff see and operate the fleet. */
public enum Role {
    CONSUMER,
    STAFF
}
