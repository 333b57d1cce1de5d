package io.switchboard.sip.stack;

import gov.nist.javax.sip.ListeningPointImpl;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPTransaction;
import java.net.InetSocketAddress;
import java.time.Duration;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.ObjectInUseException;
import javax.sip.SipException;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's one SIP stack, listening on UDP and TCP at SWITCHBOARD_SIP_ADDRESS:SWITCHBOARD_SIP_PORT
 * (framework properties {@code switchboard.sip.address}, default 127.0.0.1, and {@code switchboard.sip.port},
 * default 5060). Its one listener is a {@link SipDispatcher}: what comes back for a request goes to the
 * request's sender, incoming requests to the {@link RequestHandler}s, and what nobody claims to a
 * {@link RefusingListener}. Stopping
 * removes the listening points and the provider and stops the stack, so the ports are free again, and ends
 * the threads the stack leaves behind.
 */
@Component(immediate = true, service = SipRuntime.class)
public class SipStackComponent implements SipRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(SipStackComponent.class);
    private static final String DEFAULT_ADDRESS = "127.0.0.1";
    private static final int DEFAULT_PORT = 5060;

    private final StackThreads threads = new StackThreads();
    private final SipFactory factory = SipFactory.getInstance();
    private final MessageFactory messages;
    private final HeaderFactory headers;
    private final AddressFactory addresses;
    private final SipStack stack;
    private final SipDispatcher listener;
    private final SipProvider provider;

    @Activate
    public SipStackComponent(BundleContext context) throws Exception {
        this(listenAddress(context.getProperty("switchboard.sip.address"), context.getProperty("switchboard.sip.port")));
    }

    SipStackComponent(InetSocketAddress listen) throws Exception {
        factory.setPathName("gov.nist");
        messages = factory.createMessageFactory();
        headers = factory.createHeaderFactory();
        addresses = factory.createAddressFactory();
        listener = new SipDispatcher(new RefusingListener(messages));
        stack = threads.run("switchboard-sip-start", () -> factory.createSipStack(StackProperties.create()));
        String host = listen.getAddress().getHostAddress();
        try {
            // TCP first: a UDP listening point stopped before its thread ran fails the stack's stop (NPE).
            provider = threads.run("switchboard-sip-listen", () -> {
                ListeningPoint tcp = stack.createListeningPoint(host, listen.getPort(), ListeningPoint.TCP);
                ListeningPoint udp = stack.createListeningPoint(host, listen.getPort(), ListeningPoint.UDP);
                SipProvider p = stack.createSipProvider(tcp);
                p.addListeningPoint(udp);
                p.addSipListener(listener);
                stack.start();
                return p;
            });
        } catch (Exception e) {
            stop(null);
            throw e;
        }
        listener.strays(new AnsweredElsewhere(this));
        LOG.info("SIP listening on {}:{} (UDP, TCP)", host, listen.getPort());
    }

    @Deactivate
    void deactivate() {
        stop(provider);
    }

    /**
     * The RI closes a TCP connection without a lock: a connection its own reader closes at the same
     * moment (the peer hung up) throws a NullPointerException, and the connections after it in the
     * processor's list stay open. Stopping the processor again closes the rest (closed ones are
     * skipped, the server socket is closed already).
     */
    private static void closeConnectionsAgain(ListeningPoint lp, RuntimeException first) {
        LOG.debug("Closing the connections of {} {} failed once: {}", lp.getTransport(), lp.getPort(), first.toString());
        if (!(lp instanceof ListeningPointImpl impl)) return;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                impl.getMessageProcessor().stop();
                return;
            } catch (RuntimeException again) {
                LOG.debug("Closing the connections again failed: {}", again.toString());
            }
        }
    }

    /**
     * Takes the listening points (and so their sockets) off the stack, then stops it. Stopping also drops
     * the provider: deleteSipProvider would stop the stack a second time, and each stop waits a second.
     */
    private void stop(SipProvider provider) {
        if (provider != null) {
            provider.removeSipListener(listener);
            for (ListeningPoint lp : provider.getListeningPoints()) {
                try {
                    stack.deleteListeningPoint(lp);
                } catch (ObjectInUseException e) {
                    LOG.warn("The SIP stack did not let go of a listening point: {}", e.getMessage());
                } catch (RuntimeException e) {
                    closeConnectionsAgain(lp, e);
                }
            }
        }
        try {
            stack.stop();
        } catch (RuntimeException e) {
            // A TCP listening point whose port was taken stays in the stack without its server socket, and
            // stopping it throws before the stack stops its timer.
            LOG.debug("The SIP stack did not stop cleanly: {}", e.toString());
            ((SipStackImpl) stack).getTimer().stop();
        } finally {
            // The event scanner logs the interrupt that ends it as an error.
            ((SipStackImpl) stack).disableLogging();
            // Forgets the stopped stack, which it would hand out again for the same name.
            factory.resetFactory();
            threads.end(Duration.ofSeconds(5));
        }
    }

    /** SWITCHBOARD_SIP_ADDRESS and SWITCHBOARD_SIP_PORT, or their defaults; mistakes name the setting. */
    static InetSocketAddress listenAddress(String address, String port) {
        String host = address == null || address.isBlank() ? DEFAULT_ADDRESS : address.strip();
        int number = DEFAULT_PORT;
        if (port != null && !port.isBlank()) {
            try {
                number = Integer.parseInt(port.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("SWITCHBOARD_SIP_PORT is a port number, not '" + port + "'");
            }
            if (number < 1 || number > 65535) throw new IllegalArgumentException("SWITCHBOARD_SIP_PORT out of range: " + number);
        }
        InetSocketAddress listen = new InetSocketAddress(host, number);
        if (listen.isUnresolved()) throw new IllegalArgumentException("SWITCHBOARD_SIP_ADDRESS is no address here: '" + host + "'");
        return listen;
    }

    @Override
    public SipProvider provider() {
        return provider;
    }

    @Override
    public MessageFactory messageFactory() {
        return messages;
    }

    @Override
    public HeaderFactory headerFactory() {
        return headers;
    }

    @Override
    public AddressFactory addressFactory() {
        return addresses;
    }

    @Override
    public ClientTransaction send(Request request, ClientCallback owner, Duration t1) throws SipException {
        ClientTransaction transaction = provider.getNewClientTransaction(request);
        transaction.setApplicationData(owner);
        // The RI's own transactions take a T1 each; javax.sip has no word for it.
        ((SIPTransaction) transaction).setRetransmitTimer((int) Math.max(1, t1.toMillis()));
        transaction.sendRequest();
        return transaction;
    }

    @Override
    public void addRequestHandler(RequestHandler handler) {
        listener.add(handler);
    }

    @Override
    public void removeRequestHandler(RequestHandler handler) {
        listener.remove(handler);
    }
}
