package dev.ims.portal.account;

/**
 * The signed-in account of a request.
 *
 * @param username the account's name
 * @param role its role
 * @param sessionKey the stored session's key (a hash of the token, never the token)
 * @param csrf the session's CSRF token, which every form of the session must echo
 * @param bearer true when the request authenticated with {@code Authorization: Bearer} (not a cookie)
 */
public record Principal(String username, Role role, String sessionKey, String csrf, boolean bearer) {

    public boolean isStaff() {
        return role == Role.STAFF;
    }
}
