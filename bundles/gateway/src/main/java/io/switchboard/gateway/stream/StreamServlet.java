package io.switchboard.gateway.stream;

import io.switchboard.gateway.rest.ErrorEnvelope;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.websocket.server.ServerContainer;
import java.io.IOException;
import java.lang.reflect.Field;
import java.time.Duration;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.websocket.core.server.WebSocketMappings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/**
 * Maps {@code /api/v1/stream} to a {@link StreamFrameHandler} per socket in Jetty's WebSocket upgrade
 * mappings (those its WebSocket upgrade filter serves, see {@link #upgradeMappings}) when the servlet whiteboard initialises this
 * servlet, and takes the mapping out again when the servlet goes: a stopped gateway upgrades no more
 * sockets, and a started one maps the path anew. Jetty's WebSocket core directly, not the Jakarta
 * WebSocket layer on top of it: a socket costs less memory and a frame less work. Any origin is
 * accepted because the stream authenticates with a bearer token in its first frame, never with
 * cookies; no subprotocol or extension is negotiated. A plain HTTP request to the path gets a 400
 * envelope.
 */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern(StreamServlet.PATH)
@HttpWhiteboardServletName("switchboard-stream")
public class StreamServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PATH = "/api/v1/stream";
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

    private final transient StreamHub hub;
    private transient WebSocketMappings mappings;
    private final transient PathSpec pathSpec = WebSocketMappings.parsePathSpec(PATH);

    @Activate
    public StreamServlet(@Reference StreamHub hub) {
        this.hub = hub;
    }

    @Override
    public void init(ServletConfig config) throws ServletException {
        super.init(config);
        mappings = upgradeMappings(config.getServletContext());
        mappings.removeMapping(pathSpec); // one left by an earlier start that did not end cleanly
        mappings.addMapping(pathSpec, (request, response, callback) -> new StreamFrameHandler(hub),
                (websocket, request, response) -> (StreamFrameHandler) websocket,
                configuration -> {
                    configuration.setIdleTimeout(IDLE_TIMEOUT);
                    configuration.setMaxFrameSize(StreamFrameHandler.MAX_MESSAGE);
                    configuration.setAutoFragment(false);
                });
    }

    /**
     * The upgrade mappings of the Jetty context the whiteboard runs in. The whiteboard's servlet context
     * shows only the Jakarta WebSocket container (attribute {@code jakarta.websocket.server.ServerContainer},
     * set up by {@code org.apache.felix.jakarta.websocket.enable=true}), and that container keeps the
     * context's mappings in its field {@code webSocketMappings} (Jetty 12.0, the version the
     * distribution pins); it is read from there.
     */
    static WebSocketMappings upgradeMappings(ServletContext context) throws ServletException {
        Object container = context.getAttribute(ServerContainer.class.getName());
        if (container == null) {
            throw new ServletException("No WebSocket container: set org.apache.felix.jakarta.websocket.enable=true");
        }
        try {
            Field field = container.getClass().getDeclaredField("webSocketMappings");
            field.setAccessible(true);
            if (field.get(container) instanceof WebSocketMappings m) return m;
            throw new ServletException("The WebSocket container of " + container.getClass().getName() + " holds no upgrade mappings");
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ServletException("The WebSocket upgrade mappings cannot be read from " + container.getClass().getName()
                    + " (a Jetty other than 12.0?): " + e, e);
        }
    }

    @Override
    public void destroy() {
        if (mappings != null) mappings.removeMapping(pathSpec);
        mappings = null;
        super.destroy();
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        ErrorEnvelope.write(resp, 400, "websocket_required", "Open this path as a WebSocket.");
    }
}
