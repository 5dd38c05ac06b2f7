package dev.ims.portal.tariff;

/** A tariff that cannot be used as written; the message says which field and why. */
public final class TariffException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public TariffException(String message) {
        super(message);
    }
}
