package io.switchboard.gateway.stream;

import io.switchboard.gateway.rest.ErrorEnvelope;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerContainer;
import jakarta.websocket.server.ServerEndpointConfig;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import java.io.IOException;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Registers the one stream endpoint with Jetty's WebSocket container when the servlet whiteboard
 * initialises this servlet. A plain HTTP request to the path gets a 400 envelope.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(StreamServlet.PATH)
@HttpWhiteboardServletName("switchboard-stream")
public class StreamServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PATH = "/api/v1/stream";
    private static final int MAX_FRAME = 64 * 1024;

    private final transient StreamHub hub;
    private final transient ObjectMapper mapper;

    @Activate
    public StreamServlet(@Reference StreamHub hub) {
        this.hub = hub;
        this.mapper = hub.mapper();
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        Object attribute = config.getServletContext().getAttribute(ServerContainer.class.getName());
        if (!(attribute instanceof ServerContainer container)) {
            throw new ServletException("No Jakarta WebSocket container: set org.apache.felix.jakarta.websocket.enable=true");
        }
        container.setDefaultMaxTextMessageBufferSize(MAX_FRAME);
        container.setDefaultMaxSessionIdleTimeout(StreamEndpoint.IDLE_TIMEOUT_MILLIS);
        ServerEndpointConfig endpoint = ServerEndpointConfig.Builder.create(StreamEndpoint.class, PATH)
                .configurator(new StreamConfigurator(hub))
                .build();
        try {
            container.addEndpoint(endpoint);
        } catch (DeploymentException e) {
            throw new ServletException("Could not register " + PATH, e);
        }
    }

    /**
     * Answers every question itself: the API's default configurator is found by ServiceLoader, which
     * cannot see the container's implementation from inside OSGi. Any origin is accepted because the
     * stream authenticates with a bearer token in its first frame, never with cookies.
     */
    private static final class StreamConfigurator extends ServerEndpointConfig.Configurator {
        private final StreamHub hub;

        StreamConfigurator(StreamHub hub) {
            this.hub = hub;
        }

        @Override
        public <T> T getEndpointInstance(Class<T> type) {
            return type.cast(new StreamEndpoint(hub));
        }

        @Override
        public boolean checkOrigin(String originHeaderValue) {
            return true;
        }

        @Override
        public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
            return "";
        }

        @Override
        public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
            return List.of();
        }

        @Override
        public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
            // nothing to add
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setStatus(400);
        resp.setContentType("application/json");
        mapper.writeValue(resp.getOutputStream(),
                ErrorEnvelope.of("websocket_required", "Open this path as a WebSocket."));
    }
}
