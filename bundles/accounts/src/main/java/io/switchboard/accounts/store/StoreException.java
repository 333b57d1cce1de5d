package io.switchboard.accounts.store;

import java.sql.SQLException;

/** A database failure no client can fix; the gateway answers it with 500. */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String what, SQLException cause) {
        super(what + " failed: " + cause.getMessage(), cause);
    }
}
