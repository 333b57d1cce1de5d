package io.switchboard.sip.stack;

import java.util.Properties;

/**
 * The JAIN-SIP RI 1.3.0-91 settings of the runtime's stack, a B2BUA's: each call is two dialogs the
 * application makes itself, and the listener runs on the stack's own bounded pool of threads.
 */
final class StackProperties {
    /** Threads reading UDP and running the listener, and the pool TCP messages are handed to (per Call-ID). */
    static final int THREADS = 8;
    /** Larger messages are refused: a TCP connection sending more is closed; no UDP datagram is larger. */
    static final int MAX_MESSAGE_SIZE = 64 * 1024;

    private StackProperties() {}

    static Properties create() {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "switchboard");
        // Dialogs are the application's: a B2BUA creates the dialog of each leg itself, and a refused
        // request leaves no dialog behind.
        p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
        // The listener is called on the thread that read the message, many at once, instead of one by one
        // from a single event queue thread.
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        // Without a pool size a re-entrant listener gets a new thread for every UDP message.
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", Integer.toString(THREADS));
        // TCP through the stack's default (blocking) processors, a thread per connection, and not its NIO
        // ones: in this version NIO loses requests we send. Its NIOHandler drops every connection it opens
        // from its table right away (openOutgoingConnection's "connected" is never set), so each request
        // goes out on a new connection while the last one is closed under it, and every other one is lost
        // (SipDispatcherTest#requestsOverTcpShareOneConnectionAndAllArrive). Connections are few: one per
        // PBX we reach over TCP and one per peer that reaches us.
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(MAX_MESSAGE_SIZE));
        // Ended transactions and dialogs drop the parsed requests and responses they hold (keeping their
        // bytes, should they be read again). This is what AGGRESSIVE_CLEANUP=true sets in this version,
        // where that property is deprecated in favour of this one. The other cleanups stay at their
        // defaults: early dialogs end after 180 s (EARLY_DIALOG_TIMEOUT_SECONDS), an unacknowledged dialog
        // after 64 T1 (DIALOG_TIMEOUT_FACTOR), ended ones are released after 8 s (LINGER_TIMER), and forked
        // responses are not tracked (MAX_FORK_TIME_SECONDS 0). CACHE_CLIENT_CONNECTIONS and
        // CACHE_SERVER_CONNECTIONS stay true: a PBX reaches us again over the TCP connection it or we opened,
        // and we reach it again over ours.
        p.setProperty("gov.nist.javax.sip.RELEASE_REFERENCES_STRATEGY", "Normal");
        // Our loggers instead of log4j 1.x; the stack creates them by class name.
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        return p;
    }
}
