package io.switchboard.sip.trunk;

import io.switchboard.sip.stack.SipRuntime;
import java.time.Duration;

/**
 * The clock of registrations and probes. {@link TrunksConfig} sets the first four; tests shorten the rest
 * too: {@code t1} (a transaction gives up after 64 T1) and {@code stopWait}, how long stopping waits for
 * the un-REGISTERs, so that a PBX gone away holds up neither a delete nor a shutdown for long.
 */
record TrunkTimings(int expires, Duration probeInterval, Duration retryFirst, Duration retryMax, Duration t1,
                    Duration stopWait) {

    static TrunkTimings of(TrunksConfig config) {
        return new TrunkTimings(Math.max(60, config.register_expires_seconds()),
                Duration.ofSeconds(Math.max(1, config.options_interval_seconds())),
                Duration.ofSeconds(Math.max(1, config.retry_first_seconds())),
                Duration.ofSeconds(Math.max(1, config.retry_max_seconds())), SipRuntime.DEFAULT_T1, Duration.ofSeconds(2));
    }
}
