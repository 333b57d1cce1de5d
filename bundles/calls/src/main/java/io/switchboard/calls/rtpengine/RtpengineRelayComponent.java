package io.switchboard.calls.rtpengine;

import io.switchboard.sdk.calls.MediaRelay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Offers the rtpengine {@link MediaRelay} when SWITCHBOARD_RTPENGINE (framework property
 * {@code switchboard.rtpengine}, {@code host:port} of the ng control socket) is set; registers nothing
 * otherwise, and calls then carry media directly between the parties.
 */
@Component(immediate = true, service = {})
public class RtpengineRelayComponent {
    private static final Logger LOG = LoggerFactory.getLogger(RtpengineRelayComponent.class);
    private final NgClient client;
    private final ServiceRegistration<MediaRelay> registration;

    @Activate
    public RtpengineRelayComponent(BundleContext context) throws IOException {
        String setting = context.getProperty("switchboard.rtpengine");
        if (setting == null || setting.isBlank()) {
            client = null;
            registration = null;
            return;
        }
        InetSocketAddress address = parse(setting.strip());
        client = new NgClient(address);
        Dictionary<String, Object> props = new Hashtable<>();
        props.put("switchboard.media.relay", "rtpengine");
        registration = context.registerService(MediaRelay.class, new RtpengineRelay(client), props);
        LOG.info("Calls go through rtpengine at {}", setting.strip());
    }

    @Deactivate
    void deactivate() throws IOException {
        if (registration != null) registration.unregister();
        if (client != null) client.close();
    }

    /** {@code host:port}; 400-style mistakes end in an IllegalArgumentException naming the setting. */
    static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("SWITCHBOARD_RTPENGINE is host:port, not '" + hostPort + "'");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("SWITCHBOARD_RTPENGINE has no port number: '" + hostPort + "'");
        }
        if (port < 1 || port > 65535) throw new IllegalArgumentException("SWITCHBOARD_RTPENGINE port out of range: " + port);
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return new InetSocketAddress(host, port);
    }
}
