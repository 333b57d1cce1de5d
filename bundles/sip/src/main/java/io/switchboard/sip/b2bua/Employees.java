package io.switchboard.sip.b2bua;

import io.switchboard.sdk.accounts.AccountInfo;
import io.switchboard.sdk.accounts.AccountLookup;
import io.switchboard.sdk.calls.CallBridge;
import io.switchboard.sdk.calls.CallGateway;
import io.switchboard.sdk.calls.CallRefusedException;
import java.util.Optional;

/**
 * A company's employees as its ring groups reach them ({@code {"handle": "alice"}} members): accounts by
 * handle, and calls from the company to them through the calls feature, which rings their browsers and
 * SIP phones.
 */
interface Employees {
    Optional<String> accountOf(String handle);

    /** In an answered call now (a busy member, skipped by rules with {@code skipBusy}). */
    boolean inCall(String accountId);

    String call(CallGateway.IncomingCall call, CallBridge.Listener listener) throws CallRefusedException;

    void hangup(String callId);

    /** Through the accounts feature and the calls feature's gateway. */
    static Employees of(AccountLookup accounts, CallGateway gateway) {
        return new Employees() {
            @Override public Optional<String> accountOf(String handle) {
                return accounts.byHandle(handle).map(AccountInfo::id);
            }

            @Override public boolean inCall(String accountId) {
                return gateway.inCall(accountId);
            }

            @Override public String call(CallGateway.IncomingCall call, CallBridge.Listener listener)
                    throws CallRefusedException {
                return gateway.call(call, listener);
            }

            @Override public void hangup(String callId) {
                gateway.hangup(callId);
            }
        };
    }

    /** Nobody: members named by handle cannot be reached. */
    Employees NONE = new Employees() {
        @Override public Optional<String> accountOf(String handle) {
            return Optional.empty();
        }

        @Override public boolean inCall(String accountId) {
            return false;
        }

        @Override public String call(CallGateway.IncomingCall call, CallBridge.Listener listener)
                throws CallRefusedException {
            throw new CallRefusedException("not_found", "No employees here.");
        }

        @Override public void hangup(String callId) {}
    };
}
