package io.switchboard.gateway;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Switches on the Jakarta REST whiteboard inside the servlet whiteboard: its runtime component needs
 * a configuration before it serves anything. Jersey is mounted at the root so features own full paths.
 */
@Component(immediate = true)
public class RestRuntimeConfig {
    static final String PID = "JakartarsServletWhiteboardRuntimeComponent";
    private static final Logger LOG = LoggerFactory.getLogger(RestRuntimeConfig.class);

    @Activate
    public RestRuntimeConfig(@Reference ConfigurationAdmin configAdmin) throws IOException {
        Configuration configuration = configAdmin.getConfiguration(PID, "?");
        Dictionary<String, Object> current = configuration.getProperties();
        if (current == null || current.get("switchboard.managed") == null) {
            Dictionary<String, Object> props = new Hashtable<>();
            props.put("switchboard.managed", Boolean.TRUE);
            configuration.update(props);
            LOG.debug("REST whiteboard runtime configured");
        }
    }
}
