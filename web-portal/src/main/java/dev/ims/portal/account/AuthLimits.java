package dev.ims.portal.account;

import dev.ims.portal.account.LoginThrottle.Policy;
import java.time.Duration;

/**
 * How hard the portal limits guessing and load, per portal process.
 *
 * @param loginPerAccountAndAddress wrong passwords for one account from one address; its owner, elsewhere, is
 *     not affected by an attacker's failures
 * @param loginPerAddress wrong passwords from one address, over all accounts
 * @param claimsPerAccount wrong claim codes by one signed-in account
 * @param signupsPerAddress accounts created from one address
 * @param hashesRunning password hashes (and claim-code checks) running at once
 * @param hashesWaiting how many more may wait for a turn, each at most {@code hashWait}; beyond: 503
 * @param hashWait the longest wait for a turn
 */
public record AuthLimits(Policy loginPerAccountAndAddress, Policy loginPerAddress, Policy claimsPerAccount,
        Policy signupsPerAddress, int hashesRunning, int hashesWaiting, Duration hashWait) {

    /** 5 free tries, then 30 s, 1 min, 2 min, … up to 15 min between tries. */
    public static final Policy DEFAULT_LOGIN_PER_ACCOUNT_AND_ADDRESS =
            new Policy(5, Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(1));
    /** 30 free tries, then the same growing delays. */
    public static final Policy DEFAULT_LOGIN_PER_ADDRESS =
            new Policy(30, Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(1));
    /** 10 wrong codes, then 1 min, 2 min, … up to an hour. */
    public static final Policy DEFAULT_CLAIMS_PER_ACCOUNT =
            new Policy(10, Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofHours(1));
    /** 5 accounts, then one an hour. */
    public static final Policy DEFAULT_SIGNUPS_PER_ADDRESS =
            new Policy(5, Duration.ofHours(1), Duration.ofHours(1), Duration.ofHours(1));
    /** Twice the cores: the hashes keep every core busy while a few more requests wait. */
    public static final int DEFAULT_HASHES_RUNNING = 2 * Runtime.getRuntime().availableProcessors();
    public static final int DEFAULT_HASHES_WAITING = 4 * DEFAULT_HASHES_RUNNING;
    public static final Duration DEFAULT_HASH_WAIT = Duration.ofSeconds(2);

    public static final AuthLimits DEFAULTS = new AuthLimits(DEFAULT_LOGIN_PER_ACCOUNT_AND_ADDRESS, DEFAULT_LOGIN_PER_ADDRESS,
            DEFAULT_CLAIMS_PER_ACCOUNT, DEFAULT_SIGNUPS_PER_ADDRESS, DEFAULT_HASHES_RUNNING, DEFAULT_HASHES_WAITING, DEFAULT_HASH_WAIT);

    public AuthLimits withSignupsPerAddress(Policy p) {
        return new AuthLimits(loginPerAccountAndAddress, loginPerAddress, claimsPerAccount, p, hashesRunning, hashesWaiting, hashWait);
    }

    public AuthLimits withHashes(int running, int waiting, Duration wait) {
        return new AuthLimits(loginPerAccountAndAddress, loginPerAddress, claimsPerAccount, signupsPerAddress, running, waiting, wait);
    }
}
